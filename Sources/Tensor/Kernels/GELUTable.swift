import Foundation

/// Tabulated Φ(x) and GELU′(x) = Φ(x) + x·φ(x) with linear interpolation, for the GELU kernels.
///
/// Why a table: the erfc-based Φ costs a division, a 10-term polynomial and an exp per element, and x86-64
/// baseline code has only 4-wide SSE: ≈0.1–0.2 Gelem/s per core on this machine. An interpolated lookup is ~10
/// scalar operations (measured 1.8× faster under the same load) and needs no transcendental per element.
///
/// Accuracy: grid step h = 1/1024 on [−6, 6]. Linear interpolation errs by ≤ h²/8·max|f″|: for y = x·Φ(x)
/// that is ≤ h²/8·max x²φ(x) ≈ 3.5e-8 (GELU tests demand 1e-7 + 1e-5·|y|), for GELU′ ≤ h²/8·max|(x³−3x)φ| ≈ 1e-7.
/// Outside the grid Φ is 0 or 1 and GELU′ is 0 or 1: at |x| = 6 the true tails are 1e-9 (Φ) and 4e-8 (GELU′),
/// below every tolerance; the two end entries are set to those limits so x → ±∞ gives the limits too.
enum GELUTable {
    static let lower: Float = -6
    static let stepsPerUnit: Float = 1024
    static let intervals = 12 * 1024
    /// Largest interpolation coordinate: lands on the last entry, (limit, 0), so x ≥ 6 gives the limit exactly.
    static let maxCoordinate = Float(intervals)

    /// (value, next value − value) at x_i = −6 + i/1024, i = 0...intervals; Φ then GELU′. Written once by the
    /// lazy initialiser (thread-safe) and only read afterwards, hence `nonisolated(unsafe)`.
    nonisolated(unsafe) static let phi = build { x in 0.5 * Foundation.erfc(-x / 2.0.squareRoot()) }
    nonisolated(unsafe) static let derivative = build { x in
        0.5 * Foundation.erfc(-x / 2.0.squareRoot()) + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    static func build(_ f: (Double) -> Double) -> UnsafeMutablePointer<SIMD2<Float>> {
        let n = intervals + 1
        let values = (0...n).map { i -> Double in
            if i == 0 { return 0 }            // the x → −∞ limit of Φ and GELU′
            if i >= intervals { return 1 }    // the x → +∞ limit
            return f(Double(lower) + Double(i) / Double(stepsPerUnit))
        }
        let p = UnsafeMutablePointer<SIMD2<Float>>.allocate(capacity: n)
        for i in 0..<n { p[i] = SIMD2(Float(values[i]), Float(values[i + 1] - values[i])) }
        return p
    }

    /// Interpolates `table` at x. Branch-free selects; NaN lands on the last entry (and x·… keeps it NaN).
    @inline(__always)
    static func lookup(_ table: UnsafeMutablePointer<SIMD2<Float>>, _ x: Float) -> Float {
        var u = (x - lower) * stepsPerUnit
        u = u < 0 ? 0 : (u < maxCoordinate ? u : maxCoordinate)
        let k = Int(u)
        let e = table[k]
        return e.x + (u - Float(k)) * e.y
    }
}
