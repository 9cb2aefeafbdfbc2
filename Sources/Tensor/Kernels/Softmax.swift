import CKernels

/// Softmax over the last axis of [rows, columns], row max subtracted. The attention paths call the CKernels
/// build (per-ISA, FastMath's exp); the rest stays in Swift.
public enum Softmax {
    /// out[r,:] = softmax(input[r,:]). out may alias input.
    public static func forward(out: FloatPtr, input: ConstFloatPtr, rows: Int, columns: Int) {
        guard columns > 0, rows > 0 else { return }
        ck_softmax_forward(out, input, rows, columns)
    }

    /// dInput += out ⊙ (dOut − Σ_j dOut·out) per row. **Accumulates.** dInput may not alias dOut.
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, out: ConstFloatPtr, rows: Int, columns: Int) {
        let N = columns
        for r in 0..<rows {
            let y = out + r * N, dy = dOut + r * N, dx = dInput + r * N
            let s = Reduce.dot(dy, y, N)
            for j in 0..<N { dx[j] += y[j] * (dy[j] - s) }
        }
    }

    /// In place: g ← out ⊙ (g − Σ_j g·out) per row (attention backward turns dP into dScores with it).
    static func backwardInPlace(grad: FloatPtr, out: ConstFloatPtr, rows: Int, columns: Int) {
        guard columns > 0, rows > 0 else { return }
        ck_softmax_backward_inplace(grad, out, rows, columns)
    }
}
