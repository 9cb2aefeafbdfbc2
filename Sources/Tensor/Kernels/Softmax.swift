/// Softmax over the last axis of [rows, columns], row max subtracted. Uses `FastMath.exp`.
public enum Softmax {
    /// out[r,:] = softmax(input[r,:]). out may alias input.
    public static func forward(out: FloatPtr, input: ConstFloatPtr, rows: Int, columns: Int) {
        let N = columns
        guard N > 0 else { return }
        for r in 0..<rows {
            let x = input + r * N, y = out + r * N
            let m = Reduce.max(x, N)
            for j in 0..<N { y[j] = FastMath.exp(x[j] - m) }
            let inv = 1 / Reduce.sum(y, N)
            for j in 0..<N { y[j] *= inv }
        }
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
    @inlinable
    static func backwardInPlace(grad: FloatPtr, out: ConstFloatPtr, rows: Int, columns: Int) {
        let N = columns
        for r in 0..<rows {
            let y = out + r * N, g = grad + r * N
            let s = Reduce.dot(g, y, N)
            for j in 0..<N { g[j] = y[j] * (g[j] - s) }
        }
    }
}
