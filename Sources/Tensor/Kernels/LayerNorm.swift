/// LayerNorm over the last axis (llm.c `layernorm_forward`), biased variance, optional affine.
/// Shapes: input/out [R, C]; weight/bias [C] or nil (no affine); mean/rstd [R], saved for backward.
/// Calls on at least `Parallel.minElementwise` elements split their rows over `workers` threads; rows are
/// independent, so only dWeight/dBias (per-worker partial sums, added in worker order) depend on the split.
public enum LayerNorm {
    /// out = (x − mean)·rstd·w + b per row, rstd = 1/√(var + eps). Overwrites out, mean and rstd.
    public static func forward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                               weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int, eps: Float,
                               workers: Int = Parallel.defaultWorkers) {
        guard channels > 0 else { return }
        let o = SendablePointer(out), m = SendablePointer(mean), s = SendablePointer(rstd), x = SendablePointer(input)
        let w = weight.map { SendablePointer($0) }, b = bias.map { SendablePointer($0) }
        Parallel.split(count: rows, parts: Parallel.workers(elements: rows * channels, requested: workers)) { r, _ in
            forwardRows(r, out: o.p, mean: m.p, rstd: s.p, input: x.p, weight: w?.p, bias: b?.p, channels: channels,
                        eps: eps)
        }
    }

    static func forwardRows(_ rows: Range<Int>, out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                            weight: ConstFloatPtr?, bias: ConstFloatPtr?, channels C: Int, eps: Float) {
        for r in rows {
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
    /// `residual` (the gradient arriving through a skip connection around the norm's branch, [R, C]) is added in
    /// the same pass: dInput = residual + dx with `overwrite`, else dInput = (dInput + dx) + residual, the bits
    /// a separate copy or add pass gave. `overwrite` without `residual` writes dInput = dx.
    /// Worker 0 adds its rows straight into dWeight/dBias (so one worker gives the unsplit result); the others
    /// sum theirs from zero, and those partials are added afterwards in worker order.
    public static func backward(dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?, dOut: ConstFloatPtr,
                                input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr, rstd: ConstFloatPtr,
                                rows: Int, channels: Int, residual: ConstFloatPtr? = nil, overwrite: Bool = false,
                                workers: Int = Parallel.defaultWorkers) {
        let C = channels
        guard C > 0 else { return }
        let parts = Parallel.workers(elements: rows * C, requested: workers)
        let dx = SendablePointer(dInput), dy = SendablePointer(dOut), x = SendablePointer(input)
        let mp = SendablePointer(mean), sp = SendablePointer(rstd), w = weight.map { SendablePointer($0) }
        let dW = dWeight.map { SendablePointer($0) }, dB = dBias.map { SendablePointer($0) }
        let skip = residual.map { SendablePointer($0) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (parts - 1) * 2 * C) { tmp in
            let partial = SendablePointer(tmp.baseAddress ?? dInput)
            partial.p.update(repeating: 0, count: (parts - 1) * 2 * C)
            Parallel.split(count: rows, parts: parts) { r, i in
                let own = partial.p + Swift.max(i - 1, 0) * 2 * C
                backwardRows(r, dInput: dx.p, dWeight: dW.map { i == 0 ? $0.p : own },
                             dBias: dB.map { i == 0 ? $0.p : own + C }, dOut: dy.p, input: x.p, weight: w?.p,
                             mean: mp.p, rstd: sp.p, channels: C, residual: skip?.p, overwrite: overwrite)
            }
            Parallel.addPartials([dWeight, dBias], partials: partial.p, parts: parts, width: C)
        }
    }

    static func backwardRows(_ rows: Range<Int>, dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?,
                             dOut: ConstFloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr,
                             rstd: ConstFloatPtr, channels C: Int, residual: ConstFloatPtr?, overwrite: Bool) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * C) { tmp in
            let g = tmp.baseAddress!, n = g + C
            for r in rows {
                let x = input + r * C, dy = dOut + r * C, dx = dInput + r * C
                let m = mean[r], s = rstd[r]
                for c in 0..<C { n[c] = (x[c] - m) * s }
                if let weight { for c in 0..<C { g[c] = dy[c] * weight[c] } } else { g.update(from: dy, count: C) }
                let gMean = Reduce.sum(g, C) / Float(C)
                let gnMean = Reduce.dot(g, n, C) / Float(C)
                // Four loops rather than a select inside one, so each vectorises.
                if let res = residual.map({ $0 + r * C }), overwrite {
                    for c in 0..<C { dx[c] = res[c] + s * (g[c] - gMean - n[c] * gnMean) }
                } else if let res = residual.map({ $0 + r * C }) {
                    for c in 0..<C { dx[c] = (dx[c] + s * (g[c] - gMean - n[c] * gnMean)) + res[c] }
                } else if overwrite {
                    for c in 0..<C { dx[c] = s * (g[c] - gMean - n[c] * gnMean) }
                } else {
                    for c in 0..<C { dx[c] += s * (g[c] - gMean - n[c] * gnMean) }
                }
                if let dWeight { for c in 0..<C { dWeight[c] += dy[c] * n[c] } }
                if let dBias { for c in 0..<C { dBias[c] += dy[c] } }
            }
        }
    }
}
