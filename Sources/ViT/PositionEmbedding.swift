import Foundation
import Tensor

/// Fixed 2-D sin-cos embeddings, row coordinate first (docs/method.md §3: MAE puts the column first).
/// F = D/4 frequencies ω_k = 10000^(−k/F); PE(r, c) = [sin(rω), cos(rω), sin(cω), cos(cω)].
public enum SinCos2D {
    /// [G·G + 1, D]: row 0 (cls) is all zeros, row 1 + r·G + c is PE(r, c).
    public static func absolute(grid: Int, dim: Int) -> [Float] {
        precondition(dim % 4 == 0, "sin-cos embedding needs D divisible by 4, got \(dim)")
        var out = [Float](repeating: 0, count: (grid * grid + 1) * dim)
        for r in 0..<grid {
            for c in 0..<grid {
                let row = (1 + r * grid + c) * dim
                write(into: &out, at: row, values: [Double(r), Double(c)], dim: dim / 2)
            }
        }
        return out
    }

    /// Writes [sin(v0 ω), cos(v0 ω), sin(v1 ω), cos(v1 ω), …] with each block F = width/2 long.
    /// `width` is the span one coordinate pair of (sin, cos) blocks covers, i.e. D/2 for D.
    static func write(into out: inout [Float], at start: Int, values: [Double], dim halfSpan: Int) {
        let f = halfSpan / 2
        for (vi, v) in values.enumerated() {
            let base = start + vi * halfSpan
            for k in 0..<f {
                let omega = 1.0 / pow(10000.0, Double(k) / Double(f))
                out[base + k] = Float(sin(v * omega))
                out[base + f + k] = Float(cos(v * omega))
            }
        }
    }
}

/// The relative embedding of view-2 patches in view-1 patch-index units (docs/method.md §3).
/// Output per sample: [G·G, 2D] = [sin ĥω, cos ĥω, sin ŵω, cos ŵω, sin s_hω, cos s_hω, sin s_wω, cos s_wω],
/// each block F = D/4 wide. It carries no gradient.
public enum RelativeEmbedding {
    /// sin/cos depend on the row coordinate ĥ(u) or the column coordinate ŵ(v) only, so they are evaluated on
    /// G + G coordinates (not G·G) and each token row is assembled by copies: the same Double values as a
    /// per-token evaluation, with G× fewer sin/cos calls.
    public static func compute(out: FloatPtr, deltaI: Float, deltaJ: Float, deltaH: Float, deltaW: Float,
                               relativeFlip: Bool, flipDeltaJ: Float, grid: Int, dim: Int) {
        let f = dim / 4, G = grid
        let g = Double(grid)
        let sh = Double(deltaH), sw = Double(deltaW)
        let scaleH = 10 * log(sh), scaleW = 10 * log(sw)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: f) { omegaBuffer in
            let omega = omegaBuffer.baseAddress!
            for k in 0..<f { omega[k] = 1.0 / pow(10000.0, Double(k) / Double(f)) }
            // [G + G + 1, 2F] Float tables: sin/cos of ĥ(u)ω, of ŵ(v)ω, and of the two scale terms.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: (2 * G + 1) * 2 * f + dim) { tableBuffer in
                let rowsH = tableBuffer.baseAddress!, colsW = rowsH + G * 2 * f, scaleBlock = colsW + G * 2 * f
                func sinCos(_ into: FloatPtr, _ value: Double) {
                    for k in 0..<f { into[k] = Float(sin(value * omega[k])); into[f + k] = Float(cos(value * omega[k])) }
                }
                for u in 0..<G { sinCos(rowsH + u * 2 * f, sh * (Double(u) + 0.5) + g * Double(deltaI) - 0.5) }
                for v in 0..<G {
                    let w = relativeFlip ? -sw * (Double(v) + 0.5) + g * Double(flipDeltaJ) - 0.5
                                         : sw * (Double(v) + 0.5) + g * Double(deltaJ) - 0.5
                    sinCos(colsW + v * 2 * f, w)
                }
                sinCos(scaleBlock, scaleH)            // identical for every token of the sample
                sinCos(scaleBlock + 2 * f, scaleW)
                for u in 0..<G {
                    for v in 0..<G {
                        let row = out + (u * G + v) * 2 * dim
                        row.update(from: rowsH + u * 2 * f, count: 2 * f)
                        (row + 2 * f).update(from: colsW + v * 2 * f, count: 2 * f)
                        (row + dim).update(from: scaleBlock, count: dim)
                    }
                }
            }
        }
    }
}
