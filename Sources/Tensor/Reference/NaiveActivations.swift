import Foundation

/// Naive twins of GELU and Softmax: libm in Double.
extension Naive {
    public static func geluForward(out: FloatPtr, input: ConstFloatPtr, count: Int) {
        for i in 0..<count {
            let x = Double(input[i])
            out[i] = Float(x * 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())))
        }
    }

    public static func geluBackward(dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr, count: Int) {
        for i in 0..<count {
            let x = Double(input[i])
            let cdf = 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot()))
            let pdf = Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
            dInput[i] += Float(Double(dOut[i]) * (cdf + x * pdf))
        }
    }

    public static func softmaxForward(out: FloatPtr, input: ConstFloatPtr, rows: Int, columns: Int) {
        let N = columns
        for r in 0..<rows {
            var m = -Double.infinity
            for j in 0..<N { m = Swift.max(m, Double(input[r * N + j])) }
            var s = 0.0
            for j in 0..<N { s += Foundation.exp(Double(input[r * N + j]) - m) }
            for j in 0..<N { out[r * N + j] = Float(Foundation.exp(Double(input[r * N + j]) - m) / s) }
        }
    }

    public static func softmaxBackward(dInput: FloatPtr, dOut: ConstFloatPtr, out: ConstFloatPtr, rows: Int, columns: Int) {
        let N = columns
        for r in 0..<rows {
            var s = 0.0
            for j in 0..<N { s += Double(dOut[r * N + j]) * Double(out[r * N + j]) }
            for j in 0..<N { dInput[r * N + j] += Float(Double(out[r * N + j]) * (Double(dOut[r * N + j]) - s)) }
        }
    }
}
