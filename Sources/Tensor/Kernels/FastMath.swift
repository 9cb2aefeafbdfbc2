/// Branch-free scalar approximations of exp and erf/erfc. They use only + − × ÷, bit casts and `?:`
/// selects, so loops that call them vectorise (no libm call per element; docs/platform.md §4).
public enum FastMath {
    /// e^x, relative error ≈ 1e-7 on [−87.3, 88]. Inputs below −87.3 give e^−87.3 ≈ 1e-38 (not 0),
    /// above 88 give e^88; NaN propagates.
    @inline(__always) public static func exp(_ x: Float) -> Float {
        var x = x < -87.3 ? -87.3 : x
        x = x > 88 ? 88 : x
        // n = round(x / ln2) with the 1.5·2²³ trick: the low mantissa bits of t hold n.
        let t = x * 1.44269504088896341 + 12582912
        let n = t - 12582912
        // r = x − n·ln2 in two parts (Cody–Waite), so r is exact enough for the polynomial.
        let r = (x - n * 0.693359375) + n * 2.12194440e-4
        // Cephes expf minimax polynomial on [−ln2/2, ln2/2].
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let e = p * r * r + r + 1
        // 2^n from the integer in t's low mantissa bits. Unsigned wrap-around arithmetic gives the same bits as
        // the signed form, and it is what lets LLVM vectorise the loop (Int32 bit casts kept it scalar: 5× slower).
        let k = t.bitPattern &- 0x4B40_0000
        return e * Float(bitPattern: (k &+ 127) &<< 23)
    }

    /// erfc(z) for z ≥ 0 (Chebyshev fit, Numerical Recipes `erfcc`): fractional error < 1.2e-7, so the tail
    /// keeps its relative accuracy (GELU at very negative x needs that, not just absolute accuracy).
    @inline(__always) public static func erfcNonNegative(_ z: Float) -> Float {
        let t = 1 / (1 + 0.5 * z)
        var p: Float = 0.17087277
        p = p * t - 0.82215223
        p = p * t + 1.48851587
        p = p * t - 1.13520398
        p = p * t + 0.27886807
        p = p * t - 0.18628806
        p = p * t + 0.09678418
        p = p * t + 0.37409196
        p = p * t + 1.00002368
        p = p * t - 1.26551223
        return t * exp(p - z * z)
    }

    /// erf(x), absolute error ≤ 1e-6 over all finite Float inputs (tested on a ≥1e6-point sweep).
    @inline(__always) public static func erf(_ x: Float) -> Float {
        let a = x < 0 ? -x : x
        let y = 1 - erfcNonNegative(a)
        return x < 0 ? -y : y
    }

    /// Φ(x) = ½(1 + erf(x/√2)), computed as ½·erfc(−x/√2) so the lower tail has no cancellation.
    /// Branch-free: |x| by masking the sign bit and the final select as arithmetic on s = sign bit (0 or 1).
    @inline(__always) public static func normalCDF(_ x: Float) -> Float {
        let bits = x.bitPattern
        var a = Float(bitPattern: bits & 0x7fff_ffff) * 0.70710678118654752
        // erfc(8) ≈ 1e-29: past it Φ's tail is below any Float tolerance, and the clamp keeps every
        // intermediate out of the denormal range (denormal arithmetic is ~100× slower on x86).
        a = a < 8 ? a : 8
        let h = 0.5 * erfcNonNegative(a)
        let s = Float(bits >> 31)
        return h * s + (1 - h) * (1 - s)
    }

    /// φ(x) = e^(−x²/2)/√(2π), flushed to 0.4·e^−80 for |x| > 12.6.
    @inline(__always) public static func normalPDF(_ x: Float) -> Float {
        var q = 0.5 * x * x
        q = q < 80 ? q : 80   // e^−80 ≈ 2e-35 stays a normal Float (a min, so the loop stays vectorised)
        return 0.39894228040143268 * exp(-q)
    }
}
