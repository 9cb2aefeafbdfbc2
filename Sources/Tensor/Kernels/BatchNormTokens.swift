/// PyTorch `BatchNorm1d(C)` in train mode applied to token rows: statistics per channel over all
/// R = B·L rows, biased variance for normalising (the SiameseIM projector/predictor BN).
/// Shapes: input/out [R, C]; weight/bias [C] or nil; mean/rstd [C], saved for backward.
public enum BatchNormTokens {
    /// out[r,c] = (x[r,c] − mean[c])·rstd[c]·w[c] + b[c]. Overwrites out, mean and rstd.
    public static func forward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                               weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int, eps: Float,
                               workers: Int = Parallel.defaultWorkers) {
        let (R, C) = (rows, channels)
        guard C > 0 else { return }
        let parts = Parallel.workers(elements: R * C, requested: workers)
        let o = SendablePointer(out), m = SendablePointer(mean), s = SendablePointer(rstd), x = SendablePointer(input)
        let w = weight.map { SendablePointer($0) }, b = bias.map { SendablePointer($0) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (parts - 1) * C) { tmp in
            let partial = SendablePointer(tmp.baseAddress ?? mean)
            // Column sums row by row: the inner loop runs over channels, so it vectorises.
            mean.update(repeating: 0, count: C)
            partial.p.update(repeating: 0, count: (parts - 1) * C)
            Parallel.split(count: R, parts: parts) { r, i in
                let acc = i == 0 ? m.p : partial.p + (i - 1) * C
                for row in r { let xr = x.p + row * C; for c in 0..<C { acc[c] += xr[c] } }
            }
            Parallel.addPartials([mean], partials: partial.p, parts: parts, width: C)
            let invR = 1 / Float(Swift.max(R, 1))
            for c in 0..<C { mean[c] *= invR }
            rstd.update(repeating: 0, count: C)
            partial.p.update(repeating: 0, count: (parts - 1) * C)
            Parallel.split(count: R, parts: parts) { r, i in
                let acc = i == 0 ? s.p : partial.p + (i - 1) * C
                for row in r {
                    let xr = x.p + row * C
                    for c in 0..<C { let d = xr[c] - m.p[c]; acc[c] += d * d }
                }
            }
            Parallel.addPartials([rstd], partials: partial.p, parts: parts, width: C)
            for c in 0..<C { rstd[c] = 1 / (rstd[c] * invR + eps).squareRoot() }
            Parallel.split(count: R, parts: parts) { r, _ in
                for row in r {
                    let xr = x.p + row * C, y = o.p + row * C
                    for c in 0..<C { y[c] = (xr[c] - m.p[c]) * s.p[c] }
                    if let w { for c in 0..<C { y[c] *= w.p[c] } }
                    if let b { for c in 0..<C { y[c] += b.p[c] } }
                }
            }
        }
    }

    /// running_mean = (1−m)·rm + m·mean; running_var = (1−m)·rv + m·var·R/(R−1) (unbiased, as PyTorch).
    /// var is recovered from the saved rstd as 1/rstd² − eps. With R = 1 the unbiased factor is taken as 1
    /// (PyTorch refuses R = 1 in train mode; we do not crash).
    public static func updateRunning(runningMean: FloatPtr, runningVar: FloatPtr, mean: ConstFloatPtr,
                                     rstd: ConstFloatPtr, rows: Int, channels: Int, eps: Float, momentum: Float) {
        let unbias = rows > 1 ? Float(rows) / Float(rows - 1) : 1
        for c in 0..<channels {
            let v = 1 / (rstd[c] * rstd[c]) - eps
            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
            runningVar[c] = (1 - momentum) * runningVar[c] + momentum * v * unbias
        }
    }

    /// Full backward through the batch mean and variance; **accumulates** into dInput, dWeight, dBias.
    /// With n = (x − mean)·rstd, g = dOut·w: dx = rstd·(g − mean_r(g) − n·mean_r(g·n)).
    /// `residual` and `overwrite` as in `LayerNorm.backward` (a skip connection's gradient added in the same pass).
    public static func backward(dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?, dOut: ConstFloatPtr,
                                input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr, rstd: ConstFloatPtr,
                                rows: Int, channels: Int, residual: ConstFloatPtr? = nil, overwrite: Bool = false,
                                workers: Int = Parallel.defaultWorkers) {
        let (R, C) = (rows, channels)
        guard C > 0, R > 0 else { return }
        let parts = Parallel.workers(elements: R * C, requested: workers)
        let dx = SendablePointer(dInput), dy = SendablePointer(dOut), x = SendablePointer(input)
        let m = SendablePointer(mean), s = SendablePointer(rstd)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (5 + 2 * (parts - 1)) * C) { tmp in
            // sumDy[c] = Σ_r dOut, sumDyN[c] = Σ_r dOut·n (the dBias and dWeight of this call); worker 0 sums
            // into them, the others into partials added afterwards in worker order.
            let sumDy = tmp.baseAddress!, sumDyN = sumDy + C, partial = SendablePointer(sumDy + 5 * C)
            sumDy.update(repeating: 0, count: 2 * C)
            partial.p.update(repeating: 0, count: 2 * (parts - 1) * C)
            let sums = SendablePointer(sumDy)
            Parallel.split(count: R, parts: parts) { r, i in
                let aDy = i == 0 ? sums.p : partial.p + (i - 1) * 2 * C, aDyN = aDy + C
                for row in r {
                    let xr = x.p + row * C, g = dy.p + row * C
                    for c in 0..<C {
                        aDy[c] += g[c]
                        aDyN[c] += g[c] * (xr[c] - m.p[c]) * s.p[c]
                    }
                }
            }
            Parallel.addPartials([sumDy, sumDyN], partials: partial.p, parts: parts, width: C)
            // Per-channel coefficients: dx = a·(dy − mDy − (x − mean)·k), a = rstd·w, k = rstd·mean_r(dy·n).
            let a = sumDyN + C, mDy = a + C, k = mDy + C
            let invR = 1 / Float(R)
            for c in 0..<C {
                a[c] = rstd[c] * (weight?[c] ?? 1)
                mDy[c] = sumDy[c] * invR
                k[c] = rstd[c] * sumDyN[c] * invR
            }
            let coef = SendablePointer(a), skip = residual.map { SendablePointer($0) }
            Parallel.split(count: R, parts: parts) { r, _ in
                let a = coef.p, mDy = a + C, k = mDy + C, mean = m.p
                for row in r {
                    let xr = x.p + row * C, g = dy.p + row * C, d = dx.p + row * C
                    // Four loops rather than a select inside one, so each vectorises.
                    if let res = skip.map({ $0.p + row * C }), overwrite {
                        for c in 0..<C { d[c] = res[c] + a[c] * (g[c] - mDy[c] - (xr[c] - mean[c]) * k[c]) }
                    } else if let res = skip.map({ $0.p + row * C }) {
                        for c in 0..<C { d[c] = (d[c] + a[c] * (g[c] - mDy[c] - (xr[c] - mean[c]) * k[c])) + res[c] }
                    } else if overwrite {
                        for c in 0..<C { d[c] = a[c] * (g[c] - mDy[c] - (xr[c] - mean[c]) * k[c]) }
                    } else {
                        for c in 0..<C { d[c] += a[c] * (g[c] - mDy[c] - (xr[c] - mean[c]) * k[c]) }
                    }
                }
            }
            if let dWeight { for c in 0..<C { dWeight[c] += sumDyN[c] } }
            if let dBias { for c in 0..<C { dBias[c] += sumDy[c] } }
        }
    }
}
