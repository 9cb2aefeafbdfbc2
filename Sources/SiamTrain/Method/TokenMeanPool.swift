import Tensor

/// Mean over the N tokens of each sample (the global-loss ablation). Shapes: tokens [B·N, D], pooled [B, D].
public enum TokenMeanPool {
    public static func forward(out: FloatPtr, input: ConstFloatPtr, batch B: Int, tokens N: Int, dim D: Int) {
        let inv = 1 / Float(N)
        for b in 0..<B {
            let o = out + b * D
            o.update(repeating: 0, count: D)
            for n in 0..<N { let x = input + (b * N + n) * D; for c in 0..<D { o[c] += x[c] } }
            for c in 0..<D { o[c] *= inv }
        }
    }

    /// dInput[b, n] = dOut[b] / N for every token. Overwrites dInput.
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, batch B: Int, tokens N: Int, dim D: Int) {
        let inv = 1 / Float(N)
        for b in 0..<B {
            let g = dOut + b * D
            for n in 0..<N { let dx = dInput + (b * N + n) * D; for c in 0..<D { dx[c] = g[c] * inv } }
        }
    }
}
