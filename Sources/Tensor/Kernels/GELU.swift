/// Exact (erf) GELU, as PyTorch `nn.GELU()`: y = x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)).
/// Φ comes from `FastMath` (no libm per element, branch-free), so every loop vectorises; calls on more than
/// `Parallel.minElementwise` elements are split over `workers` threads.
public enum GELU {
    /// out[i] = x·Φ(x). out may alias input.
    public static func forward(out: FloatPtr, input: ConstFloatPtr, count: Int, workers: Int = Parallel.defaultWorkers) {
        let o = SendablePointer(out), x = SendablePointer(UnsafeMutablePointer(mutating: input))
        Parallel.elementwise(count: count, workers: workers) { r in
            for i in r {
                let v = x.p[i]
                o.p[i] = v * FastMath.normalCDF(v)
            }
        }
    }

    /// dInput[i] += dOut[i]·(Φ(x) + x·φ(x)). **Accumulates.**
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr, count: Int,
                                workers: Int = Parallel.defaultWorkers) {
        let dx = SendablePointer(dInput), dy = SendablePointer(UnsafeMutablePointer(mutating: dOut))
        let x = SendablePointer(UnsafeMutablePointer(mutating: input))
        Parallel.elementwise(count: count, workers: workers) { r in
            for i in r {
                let v = x.p[i]
                dx.p[i] += dy.p[i] * (FastMath.normalCDF(v) + v * FastMath.normalPDF(v))
            }
        }
    }

    /// The same backward given the forward's output y = x·Φ(x) too: Φ = y/x (x ≠ 0; Φ(0) = ½), so only φ
    /// costs an exp (half the work of recomputing Φ). y/x is within 2 ulp of Φ. **Accumulates**, or with
    /// `overwrite: true` writes dInput (no memset needed before).
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr, output: ConstFloatPtr,
                                count: Int, workers: Int = Parallel.defaultWorkers, overwrite: Bool = false) {
        let dx = SendablePointer(dInput), dy = SendablePointer(UnsafeMutablePointer(mutating: dOut))
        let x = SendablePointer(UnsafeMutablePointer(mutating: input))
        let y = SendablePointer(UnsafeMutablePointer(mutating: output))
        // Two loops rather than `keep·dx + …`: 0·(a stale NaN) would still be NaN.
        Parallel.elementwise(count: count, workers: workers) { r in
            if overwrite {
                for i in r { dx.p[i] = dy.p[i] * derivative(x.p[i], y.p[i]) }
            } else {
                for i in r { dx.p[i] += dy.p[i] * derivative(x.p[i], y.p[i]) }
            }
        }
    }

    /// Φ(x) + x·φ(x) with Φ = y/x from the forward output. The division is unconditional so the select stays
    /// branch-free (vectorised); below |x| = 1e-30 the quotient loses accuracy (0/0 is NaN) and Φ is ½.
    @inline(__always) static func derivative(_ v: Float, _ y: Float) -> Float {
        let a = Float(bitPattern: v.bitPattern & 0x7fff_ffff)
        let ratio = y / v
        let phi = a > 1e-30 ? ratio : 0.5
        return phi + v * FastMath.normalPDF(v)
    }
}
