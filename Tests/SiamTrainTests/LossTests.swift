import Testing
import Tensor
@testable import SiamTrain

@Suite struct LossTests {
    /// dL/dP from the closed form against central differences of L in Double with C held constant
    /// (docs/method.md §6), and L against a direct Double evaluation.
    @Test func closedFormGradientMatchesFiniteDifferences() {
        let (M, D) = (6, 8)
        let lambda = 0.02
        var rng = SeededRNG(seed: 3)
        let p = FloatBuffer((0..<M * D).map { _ in Float(rng.normal()) })
        let t = FloatBuffer((0..<M * D).map { _ in Float(rng.normal()) })
        let dP = FloatBuffer(count: M * D), c = FloatBuffer(count: D * D), pc = FloatBuffer(count: M * D)
        let v = UniGradLoss.forwardBackward(dPrediction: dP.pointer, correlation: c.pointer, pc: pc.pointer,
                                            prediction: p.pointer, target: t.pointer, rows: M, dim: D,
                                            negWeight: Float(lambda))
        // Direct Double evaluation.
        var C = [Double](repeating: 0, count: D * D)
        for i in 0..<M { for a in 0..<D { for b in 0..<D { C[a * D + b] += Double(t[i * D + a]) * Double(t[i * D + b]) / Double(M) } } }
        func loss(_ P: [Double]) -> Double {
            var pos = 0.0, neg = 0.0
            for i in 0..<M {
                for a in 0..<D {
                    let d = P[i * D + a] - Double(t[i * D + a]); pos += d * d
                    for b in 0..<D { neg += P[i * D + a] * C[a * D + b] * P[i * D + b] }
                }
            }
            return (pos + lambda * neg) / Double(M) / Double(D)
        }
        let P = p.array.map(Double.init)
        #expect(abs(v.loss - loss(P)) < 1e-5 * abs(loss(P)))
        #expect(abs(v.loss - (v.pos + Double(Float(lambda)) * v.neg)) < 1e-12)
        for k in 0..<(M * D) {
            var plus = P, minus = P
            plus[k] += 1e-4; minus[k] -= 1e-4
            let fd = (loss(plus) - loss(minus)) / 2e-4
            #expect(abs(fd - Double(dP[k])) <= 1e-3 * max(abs(fd), 1e-3), "element \(k): fd \(fd) vs \(dP[k])")
        }
    }
}
