/// PyTorch `BatchNorm1d(C)` in train mode applied to token rows: statistics per channel over all
/// R = B·L rows, biased variance for normalising (the SiameseIM projector/predictor BN).
/// Shapes: input/out [R, C]; weight/bias [C] or nil; mean/rstd [C], saved for backward.
public enum BatchNormTokens {
    /// out[r,c] = (x[r,c] − mean[c])·rstd[c]·w[c] + b[c]. Overwrites out, mean and rstd.
    public static func forward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                               weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int, eps: Float) {
        let (R, C) = (rows, channels)
        guard C > 0 else { return }
        // Column sums row by row: the inner loop runs over channels, so it vectorises.
        mean.update(repeating: 0, count: C)
        rstd.update(repeating: 0, count: C)
        for r in 0..<R { let x = input + r * C; for c in 0..<C { mean[c] += x[c] } }
        let invR = 1 / Float(Swift.max(R, 1))
        for c in 0..<C { mean[c] *= invR }
        for r in 0..<R {
            let x = input + r * C
            for c in 0..<C { let d = x[c] - mean[c]; rstd[c] += d * d }
        }
        for c in 0..<C { rstd[c] = 1 / (rstd[c] * invR + eps).squareRoot() }
        for r in 0..<R {
            let x = input + r * C, y = out + r * C
            for c in 0..<C { y[c] = (x[c] - mean[c]) * rstd[c] }
            if let weight { for c in 0..<C { y[c] *= weight[c] } }
            if let bias { for c in 0..<C { y[c] += bias[c] } }
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
    public static func backward(dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?, dOut: ConstFloatPtr,
                                input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr, rstd: ConstFloatPtr,
                                rows: Int, channels: Int) {
        let (R, C) = (rows, channels)
        guard C > 0, R > 0 else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * C) { tmp in
            // sumDy[c] = Σ_r dOut, sumDyN[c] = Σ_r dOut·n (the dBias and dWeight of this call).
            let sumDy = tmp.baseAddress!, sumDyN = sumDy + C
            sumDy.update(repeating: 0, count: 2 * C)
            for r in 0..<R {
                let x = input + r * C, dy = dOut + r * C
                for c in 0..<C {
                    sumDy[c] += dy[c]
                    sumDyN[c] += dy[c] * (x[c] - mean[c]) * rstd[c]
                }
            }
            // Per-channel coefficients: dx = a·(dy − mDy − (x − mean)·k), a = rstd·w, k = rstd·mean_r(dy·n).
            let a = sumDyN + C, mDy = a + C, k = mDy + C
            let invR = 1 / Float(R)
            for c in 0..<C {
                a[c] = rstd[c] * (weight?[c] ?? 1)
                mDy[c] = sumDy[c] * invR
                k[c] = rstd[c] * sumDyN[c] * invR
            }
            for r in 0..<R {
                let x = input + r * C, dy = dOut + r * C, dx = dInput + r * C
                for c in 0..<C { dx[c] += a[c] * (dy[c] - mDy[c] - (x[c] - mean[c]) * k[c]) }
            }
            if let dWeight { for c in 0..<C { dWeight[c] += sumDyN[c] } }
            if let dBias { for c in 0..<C { dBias[c] += sumDy[c] } }
        }
    }
}
