/// Naive twins: plain loops with Double accumulation. They are the algorithmic reference the fast
/// kernels are property-tested against, and a fallback if the BLAS self-check fails.
public enum Naive {
    /// C[M,N] = alpha · op(A) · op(B) + beta · C, triple loop.
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: ConstFloatPtr, lda: Int, b: ConstFloatPtr, ldb: Int,
                             beta: Float = 0, c: FloatPtr, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                let prior = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * Float(s) + prior
            }
        }
    }

    public static func linearForward(out: FloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr, bias: ConstFloatPtr?,
                                     rows: Int, inFeatures: Int, outFeatures: Int) {
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var s = Double(bias?[o] ?? 0)
                for i in 0..<inFeatures { s += Double(input[r * inFeatures + i]) * Double(weight[o * inFeatures + i]) }
                out[r * outFeatures + o] = Float(s)
            }
        }
    }

    public static func linearBackward(dInput: FloatPtr?, dWeight: FloatPtr?, dBias: FloatPtr?,
                                      dOut: ConstFloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr,
                                      rows: Int, inFeatures: Int, outFeatures: Int) {
        let (R, I, O) = (rows, inFeatures, outFeatures)
        if let dInput {
            for r in 0..<R { for i in 0..<I {
                var s = 0.0
                for o in 0..<O { s += Double(dOut[r * O + o]) * Double(weight[o * I + i]) }
                dInput[r * I + i] += Float(s)
            } }
        }
        if let dWeight {
            for o in 0..<O { for i in 0..<I {
                var s = 0.0
                for r in 0..<R { s += Double(dOut[r * O + o]) * Double(input[r * I + i]) }
                dWeight[o * I + i] += Float(s)
            } }
        }
        if let dBias {
            for o in 0..<O {
                var s = 0.0
                for r in 0..<R { s += Double(dOut[r * O + o]) }
                dBias[o] += Float(s)
            }
        }
    }
}
