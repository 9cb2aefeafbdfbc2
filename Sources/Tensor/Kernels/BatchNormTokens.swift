/// PyTorch `BatchNorm1d(C)` in train mode applied to token rows: statistics per channel over all
/// R = B·L rows, biased variance for normalising (the SiameseIM projector/predictor BN).
/// Shapes: input/out [R, C]; weight/bias [C] or nil; mean/rstd [C], saved for backward.
/// Every quantity is per channel, so calls on at least `Parallel.minElementwise` elements split the channels over
/// `workers` threads (`Parallel.columns`): each channel is still computed by one thread in row order, so the
/// results are bit-identical for any worker count.
public enum BatchNormTokens {
    /// out[r,c] = (x[r,c] − mean[c])·rstd[c]·w[c] + b[c]. Overwrites out, mean and rstd.
    public static func forward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                               weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int, eps: Float,
                               workers: Int = Parallel.defaultWorkers) {
        let o = SendablePointer(out), m = SendablePointer(mean), s = SendablePointer(rstd), x = SendablePointer(input)
        let w = weight.map { SendablePointer($0) }, b = bias.map { SendablePointer($0) }
        Parallel.columns(channels, rows: rows, workers: workers) { cols in
            forwardColumns(cols, out: o.p, mean: m.p, rstd: s.p, input: x.p, weight: w?.p, bias: b?.p, rows: rows,
                           channels: channels, eps: eps)
        }
    }

    static func forwardColumns(_ cols: Range<Int>, out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                               weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows R: Int, channels C: Int, eps: Float) {
        // Column sums row by row: the inner loop runs over channels, so it vectorises.
        for c in cols { mean[c] = 0; rstd[c] = 0 }
        for r in 0..<R { let x = input + r * C; for c in cols { mean[c] += x[c] } }
        let invR = 1 / Float(Swift.max(R, 1))
        for c in cols { mean[c] *= invR }
        for r in 0..<R {
            let x = input + r * C
            for c in cols { let d = x[c] - mean[c]; rstd[c] += d * d }
        }
        for c in cols { rstd[c] = 1 / (rstd[c] * invR + eps).squareRoot() }
        for r in 0..<R {
            let x = input + r * C, y = out + r * C
            for c in cols { y[c] = (x[c] - mean[c]) * rstd[c] }
            if let weight { for c in cols { y[c] *= weight[c] } }
            if let bias { for c in cols { y[c] += bias[c] } }
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
        let C = channels
        guard C > 0, rows > 0 else { return }
        let dx = SendablePointer(dInput), dy = SendablePointer(dOut), x = SendablePointer(input)
        let m = SendablePointer(mean), s = SendablePointer(rstd), w = weight.map { SendablePointer($0) }
        let dW = dWeight.map { SendablePointer($0) }, dB = dBias.map { SendablePointer($0) }
        let skip = residual.map { SendablePointer($0) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * C) { tmp in
            let t = SendablePointer(tmp.baseAddress!)
            Parallel.columns(C, rows: rows, workers: workers) { cols in
                backwardColumns(cols, dInput: dx.p, dWeight: dW?.p, dBias: dB?.p, dOut: dy.p, input: x.p, weight: w?.p,
                                mean: m.p, rstd: s.p, rows: rows, channels: C, residual: skip?.p, overwrite: overwrite,
                                scratch: t.p)
            }
        }
    }

    /// The backward for channels `cols`; scratch holds 5·C floats (this call touches only its columns of them).
    static func backwardColumns(_ cols: Range<Int>, dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?,
                                dOut: ConstFloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr,
                                rstd: ConstFloatPtr, rows R: Int, channels C: Int, residual: ConstFloatPtr?,
                                overwrite: Bool, scratch: FloatPtr) {
        // sumDy[c] = Σ_r dOut, sumDyN[c] = Σ_r dOut·n (the dBias and dWeight of this call).
        let sumDy = scratch, sumDyN = sumDy + C
        for c in cols { sumDy[c] = 0; sumDyN[c] = 0 }
        for r in 0..<R {
            let x = input + r * C, dy = dOut + r * C
            for c in cols {
                sumDy[c] += dy[c]
                sumDyN[c] += dy[c] * (x[c] - mean[c]) * rstd[c]
            }
        }
        // Per-channel coefficients: dx = a·(dy − mDy − (x − mean)·k), a = rstd·w, k = rstd·mean_r(dy·n).
        let a = sumDyN + C, mDy = a + C, k = mDy + C
        let invR = 1 / Float(R)
        for c in cols {
            a[c] = rstd[c] * (weight?[c] ?? 1)
            mDy[c] = sumDy[c] * invR
            k[c] = rstd[c] * sumDyN[c] * invR
        }
        for r in 0..<R {
            let x = input + r * C, dy = dOut + r * C, dx = dInput + r * C
            // Four loops rather than a select inside one, so each vectorises.
            if let res = residual.map({ $0 + r * C }), overwrite {
                for c in cols { dx[c] = res[c] + a[c] * (dy[c] - mDy[c] - (x[c] - mean[c]) * k[c]) }
            } else if let res = residual.map({ $0 + r * C }) {
                for c in cols { dx[c] = (dx[c] + a[c] * (dy[c] - mDy[c] - (x[c] - mean[c]) * k[c])) + res[c] }
            } else if overwrite {
                for c in cols { dx[c] = a[c] * (dy[c] - mDy[c] - (x[c] - mean[c]) * k[c]) }
            } else {
                for c in cols { dx[c] += a[c] * (dy[c] - mDy[c] - (x[c] - mean[c]) * k[c]) }
            }
        }
        if let dWeight { for c in cols { dWeight[c] += sumDyN[c] } }
        if let dBias { for c in cols { dBias[c] += sumDy[c] } }
    }
}
