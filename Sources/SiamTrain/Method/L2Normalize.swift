import Tensor

/// Row-wise `F.normalize(x, dim=-1)`: y = x / max(‖x‖, 1e-12). Shapes: x, y, dx, dy [R, D]; norms [R].
public enum L2Normalize {
    static let eps: Float = 1e-12

    /// Overwrites out and norms (the clamped ‖x‖ per row, saved for backward).
    public static func forward(out: FloatPtr, norms: FloatPtr, input: ConstFloatPtr, rows R: Int, dim D: Int) {
        for r in 0..<R {
            let x = input + r * D, y = out + r * D
            var ss: Float = 0
            for c in 0..<D { ss += x[c] * x[c] }
            let n = max(ss.squareRoot(), eps)
            norms[r] = n
            let inv = 1 / n
            for c in 0..<D { y[c] = x[c] * inv }
        }
    }

    /// dx = (dy − y·⟨y, dy⟩)/‖x‖ when ‖x‖ > eps (the clamp's branch has dx = dy/eps). **Accumulates** into dInput.
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, output: ConstFloatPtr, norms: ConstFloatPtr,
                                rows R: Int, dim D: Int) {
        for r in 0..<R {
            let y = output + r * D, dy = dOut + r * D, dx = dInput + r * D
            let inv = 1 / norms[r]
            if norms[r] <= eps { for c in 0..<D { dx[c] += dy[c] * inv }; continue }
            var dot: Float = 0
            for c in 0..<D { dot += y[c] * dy[c] }
            for c in 0..<D { dx[c] += (dy[c] - y[c] * dot) * inv }
        }
    }
}
