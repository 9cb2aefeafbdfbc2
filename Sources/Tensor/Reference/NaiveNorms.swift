import Foundation

/// Naive twins of LayerNorm and BatchNormTokens: textbook formulas, Double accumulation.
extension Naive {
    public static func layerNormForward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                                        weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int,
                                        eps: Float) {
        let C = channels
        for r in 0..<rows {
            var m = 0.0
            for c in 0..<C { m += Double(input[r * C + c]) }
            m /= Double(C)
            var v = 0.0
            for c in 0..<C { let d = Double(input[r * C + c]) - m; v += d * d }
            v /= Double(C)
            let s = 1 / (v + Double(eps)).squareRoot()
            mean[r] = Float(m); rstd[r] = Float(s)
            for c in 0..<C {
                let n = (Double(input[r * C + c]) - m) * s
                out[r * C + c] = Float(n * Double(weight?[c] ?? 1) + Double(bias?[c] ?? 0))
            }
        }
    }

    public static func layerNormBackward(dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?, dOut: ConstFloatPtr,
                                         input: ConstFloatPtr, weight: ConstFloatPtr?, mean: ConstFloatPtr,
                                         rstd: ConstFloatPtr, rows: Int, channels: Int) {
        let C = channels
        for r in 0..<rows {
            let m = Double(mean[r]), s = Double(rstd[r])
            var gSum = 0.0, gnSum = 0.0
            for c in 0..<C {
                let n = (Double(input[r * C + c]) - m) * s
                let g = Double(dOut[r * C + c]) * Double(weight?[c] ?? 1)
                gSum += g; gnSum += g * n
            }
            for c in 0..<C {
                let n = (Double(input[r * C + c]) - m) * s
                let g = Double(dOut[r * C + c]) * Double(weight?[c] ?? 1)
                dInput[r * C + c] += Float(s * (g - gSum / Double(C) - n * gnSum / Double(C)))
                dWeight?[c] += Float(Double(dOut[r * C + c]) * n)
                dBias?[c] += dOut[r * C + c]
            }
        }
    }

    public static func batchNormTokensForward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr,
                                              weight: ConstFloatPtr?, bias: ConstFloatPtr?, rows: Int, channels: Int,
                                              eps: Float) {
        let (R, C) = (rows, channels)
        for c in 0..<C {
            var m = 0.0
            for r in 0..<R { m += Double(input[r * C + c]) }
            m /= Double(R)
            var v = 0.0
            for r in 0..<R { let d = Double(input[r * C + c]) - m; v += d * d }
            v /= Double(R)
            let s = 1 / (v + Double(eps)).squareRoot()
            mean[c] = Float(m); rstd[c] = Float(s)
            for r in 0..<R {
                let n = (Double(input[r * C + c]) - m) * s
                out[r * C + c] = Float(n * Double(weight?[c] ?? 1) + Double(bias?[c] ?? 0))
            }
        }
    }

    public static func batchNormTokensBackward(dInput: FloatPtr, dWeight: FloatPtr?, dBias: FloatPtr?,
                                               dOut: ConstFloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr?,
                                               mean: ConstFloatPtr, rstd: ConstFloatPtr, rows: Int, channels: Int) {
        let (R, C) = (rows, channels)
        for c in 0..<C {
            let m = Double(mean[c]), s = Double(rstd[c]), w = Double(weight?[c] ?? 1)
            var gSum = 0.0, gnSum = 0.0
            for r in 0..<R {
                let n = (Double(input[r * C + c]) - m) * s
                gSum += Double(dOut[r * C + c]); gnSum += Double(dOut[r * C + c]) * n
            }
            for r in 0..<R {
                let n = (Double(input[r * C + c]) - m) * s
                let g = Double(dOut[r * C + c])
                dInput[r * C + c] += Float(s * w * (g - gSum / Double(R) - n * gnSum / Double(R)))
            }
            dWeight?[c] += Float(gnSum)
            dBias?[c] += Float(gSum)
        }
    }
}
