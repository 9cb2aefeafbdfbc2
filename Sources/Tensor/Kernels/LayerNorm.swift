/// LayerNorm over the last axis (llm.c `layernorm_forward`), biased variance, optional affine.
/// Shapes: input/out [R, C]; weight/bias [C] or nil (no affine); mean/rstd [R], saved for backward.
public enum LayerNorm {
    /// out = (x − mean)·rstd·w + b per row, rstd = 1/√(var + eps). Overwrites out, mean and rstd.
    public static func forward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                               weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int, eps: Float) {
        let C = channels
        guard C > 0 else { return }
        for r in 0..<rows {
            let x = input + r * C, y = out + r * C
            // Two passes (mean, then squared deviations) avoid E[x²]−E[x]² cancellation.
            let m = Reduce.sum(x, C) / Float(C)
            let v = Reduce.squaredDeviation(x, C, mean: m) / Float(C)
            let s = 1 / (v + eps).squareRoot()
            mean[r] = m
            rstd[r] = s
            if let weight, let bias {
                for c in 0..<C { y[c] = (x[c] - m) * s * weight[c] + bias[c] }
            } else if let weight {
                for c in 0..<C { y[c] = (x[c] - m) * s * weight[c] }
            } else {
                for c in 0..<C { y[c] = (x[c] - m) * s }
                if let bias { for c in 0..<C { y[c] += bias[c] } }
            }
        }
    }

    /// Backward; **accumulates** into dInput, dWeight and dBias (nil = not needed).
    /// With n = (x − mean)·rstd and g = dOut·w: dx = rstd·(g − mean(g) − n·mean(g·n)).
    public static func backward(dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?, dOut: ConstFloatPtr,
                                input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr, rstd: ConstFloatPtr,
                                rows: Int, channels: Int) {
        let C = channels
        guard C > 0 else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * C) { tmp in
            let g = tmp.baseAddress!, n = g + C
            for r in 0..<rows {
                let x = input + r * C, dy = dOut + r * C, dx = dInput + r * C
                let m = mean[r], s = rstd[r]
                for c in 0..<C { n[c] = (x[c] - m) * s }
                if let weight { for c in 0..<C { g[c] = dy[c] * weight[c] } } else { g.update(from: dy, count: C) }
                let gMean = Reduce.sum(g, C) / Float(C)
                let gnMean = Reduce.dot(g, n, C) / Float(C)
                for c in 0..<C { dx[c] += s * (g[c] - gMean - n[c] * gnMean) }
                if let dWeight { for c in 0..<C { dWeight[c] += dy[c] * n[c] } }
                if let dBias { for c in 0..<C { dBias[c] += dy[c] } }
            }
        }
    }
}
