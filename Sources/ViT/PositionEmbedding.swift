import Foundation
import Tensor

/// Fixed 2-D sin-cos embeddings, row coordinate first (siameseim-spec.md §3.1, §11.7: MAE puts the column first).
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

/// The relative embedding of view-2 patches in view-1 patch-index units (siameseim-spec.md §3.2).
/// Output per sample: [G·G, 2D] = [sin ĥω, cos ĥω, sin ŵω, cos ŵω, sin s_hω, cos s_hω, sin s_wω, cos s_wω],
/// each block F = D/4 wide. It carries no gradient.
public enum RelativeEmbedding {
    public static func compute(out: FloatPtr, deltaI: Float, deltaJ: Float, deltaH: Float, deltaW: Float,
                               relativeFlip: Bool, flipDeltaJ: Float, grid: Int, dim: Int) {
        let f = dim / 4
        let g = Double(grid)
        let sh = Double(deltaH), sw = Double(deltaW)
        let scaleH = 10 * log(sh), scaleW = 10 * log(sw)
        var omega = [Double](repeating: 0, count: f)
        for k in 0..<f { omega[k] = 1.0 / pow(10000.0, Double(k) / Double(f)) }
        var scaleBlock = [Float](repeating: 0, count: dim)   // identical for every token of the sample
        for k in 0..<f {
            scaleBlock[k] = Float(sin(scaleH * omega[k])); scaleBlock[f + k] = Float(cos(scaleH * omega[k]))
            scaleBlock[2 * f + k] = Float(sin(scaleW * omega[k])); scaleBlock[3 * f + k] = Float(cos(scaleW * omega[k]))
        }
        for u in 0..<grid {
            let h = sh * (Double(u) + 0.5) + g * Double(deltaI) - 0.5
            for v in 0..<grid {
                let w = relativeFlip ? -sw * (Double(v) + 0.5) + g * Double(flipDeltaJ) - 0.5
                                     : sw * (Double(v) + 0.5) + g * Double(deltaJ) - 0.5
                let row = out + (u * grid + v) * 2 * dim
                for k in 0..<f {
                    row[k] = Float(sin(h * omega[k])); row[f + k] = Float(cos(h * omega[k]))
                    row[2 * f + k] = Float(sin(w * omega[k])); row[3 * f + k] = Float(cos(w * omega[k]))
                }
                for k in 0..<dim { row[dim + k] = scaleBlock[k] }
            }
        }
    }
}
