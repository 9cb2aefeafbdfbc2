import Tensor

/// The dense UniGrad loss as the official `compute_unigrad_loss` (docs/method.md §6):
/// C = TᵀT / M (current batch, no EMA), pos = mean_i ‖P_i − T_i‖², neg = mean_i P_i C P_iᵀ,
/// L = (pos + λ·neg) / D, and dL/dP = 2/(M·D)·[(P − T) + λ·P·C] (C held constant; it is symmetric).
public enum UniGradLoss {
    /// `pos` and `neg` are reported divided by D, so `loss = pos + λ·neg`.
    public struct Value: Sendable, Equatable {
        public var loss: Double, pos: Double, neg: Double
    }

    /// Shapes: prediction, target, dPrediction, pc [M, D]; correlation [D, D]. Overwrites dPrediction.
    public static func forwardBackward(dPrediction: FloatPtr, correlation: FloatPtr, pc: FloatPtr,
                                       prediction p: ConstFloatPtr, target t: ConstFloatPtr,
                                       rows M: Int, dim D: Int, negWeight lambda: Float) -> Value {
        Blas.sgemm(transA: true, m: D, n: D, k: M, alpha: 1 / Float(M), a: t, lda: D, b: t, ldb: D, c: correlation, ldc: D)
        Blas.sgemm(m: M, n: D, k: D, a: p, lda: D, b: correlation, ldb: D, c: pc, ldc: D)
        var pos = 0.0, neg = 0.0
        let scale = 2 / (Float(M) * Float(D))
        for i in 0..<M {
            let pr = p + i * D, tr = t + i * D, cr = pc + i * D, dr = dPrediction + i * D
            var rowPos: Float = 0, rowNeg: Float = 0
            for c in 0..<D {
                let diff = pr[c] - tr[c]
                rowPos += diff * diff
                rowNeg += cr[c] * pr[c]
                dr[c] = scale * (diff + lambda * cr[c])
            }
            pos += Double(rowPos); neg += Double(rowNeg)
        }
        pos /= Double(M) * Double(D); neg /= Double(M) * Double(D)
        return Value(loss: pos + Double(lambda) * neg, pos: pos, neg: neg)
    }
}
