import Testing
import Tensor
import TestSupport
import ViT
@testable import SiamTrain

/// The Table-3 losses against naive Double computations, with finite-difference gradients.
@Suite struct AblationLossTests {
    /// MAE's loss on a hand batch: rows 0 and 2 supervised (same view), then every row (different views).
    @Test func pixelLossIsTheMeanSquaredErrorOfTheSupervisedPatches() {
        let p: [Float] = [1, 2, 3, 0, 0, 0, -1, 1, 0, 5, 5, 5]
        let t: [Float] = [1, 0, 3, 9, 9, 9, 1, 1, 1, 5, 5, 5]
        let P = FloatBuffer(p), T = FloatBuffer(t), dP = FloatBuffer(count: 12)
        let mask: [UInt8] = [1, 0, 1, 0]
        let v = mask.withUnsafeBufferPointer {
            PixelLoss.forwardBackward(dPrediction: dP.pointer, prediction: P.pointer, target: T.pointer,
                                      rowMask: $0.baseAddress!, rows: 4, width: 3)
        }
        // Row 0: (0, 4, 0); row 2: (4, 0, 1) → 9 / (2·3).
        #expect(v.loss == 1.5 && v.pos == 1.5 && v.neg == 0)
        let k: Float = 2.0 / 6   // 2/(|sel|·W)
        let want: [Float] = [0, k * 2, 0, 0, 0, 0, k * -2, 0, k * -1, 0, 0, 0]
        #expect(dP.array == want)
        let all = PixelLoss.forwardBackward(dPrediction: dP.pointer, prediction: P.pointer, target: T.pointer,
                                            rowMask: nil, rows: 4, width: 3)
        // Row 1 adds 3·81 = 243; row 3 adds 0 → 252 / 12.
        #expect(all.loss == 21)
    }

    @Test func normPixStandardisesEachPatchWithTheUnbiasedVariance() {
        let x = FloatBuffer([1, 2, 3, 4, 10, 10, 10, 10])
        PatchPixels.normalizeRows(x.pointer, rows: 2, width: 4)
        let sd = (5.0 / 3 + 1e-6).squareRoot()   // unbiased var of 1…4 = 5/3
        for (k, v) in [-1.5, -0.5, 0.5, 1.5].enumerated() { #expect(abs(Double(x[k]) - v / sd) < 1e-6) }
        #expect((4..<8).allSatisfy { x[$0] == 0 })
    }

    /// Naive Double UniGrad loss with the switches: pool (global), then BN+l2 (moco) or LN on the target (mae).
    static func naive(_ P: [Double], _ Z: [Double], B: Int, N: Int, D: Int, moco: Bool, global: Bool, lambda: Double) -> Double {
        func pool(_ x: [Double]) -> [Double] {
            var o = [Double](repeating: 0, count: B * D)
            for b in 0..<B { for n in 0..<N { for c in 0..<D { o[b * D + c] += x[(b * N + n) * D + c] / Double(N) } } }
            return o
        }
        let (p0, z0) = global ? (pool(P), pool(Z)) : (P, Z)
        let M = global ? B : B * N
        func bn(_ x: [Double]) -> [Double] {
            var o = x
            for c in 0..<D {
                let col = (0..<M).map { x[$0 * D + c] }
                let mu = col.reduce(0, +) / Double(M)
                let v = col.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(M)
                for r in 0..<M { o[r * D + c] = (x[r * D + c] - mu) / (v + 1e-5).squareRoot() }
            }
            return o
        }
        func rowwise(_ x: [Double], _ f: ([Double]) -> [Double]) -> [Double] {
            (0..<M).flatMap { r in f(Array(x[(r * D)..<((r + 1) * D)])) }
        }
        func l2(_ r: [Double]) -> [Double] { let n = max(r.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12); return r.map { $0 / n } }
        func ln(_ r: [Double]) -> [Double] {
            let mu = r.reduce(0, +) / Double(D), v = r.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(D)
            return r.map { ($0 - mu) / (v + 1e-5).squareRoot() }
        }
        let p = moco ? rowwise(bn(p0), l2) : p0
        let t = moco ? rowwise(bn(z0), l2) : rowwise(z0, ln)
        var C = [Double](repeating: 0, count: D * D)
        for i in 0..<M { for a in 0..<D { for b in 0..<D { C[a * D + b] += t[i * D + a] * t[i * D + b] / Double(M) } } }
        var pos = 0.0, neg = 0.0
        for i in 0..<M { for a in 0..<D {
            let d = p[i * D + a] - t[i * D + a]; pos += d * d
            for b in 0..<D { neg += p[i * D + a] * C[a * D + b] * p[i * D + b] }
        } }
        return (pos + lambda * neg) / Double(M) / Double(D)
    }

    @Test(arguments: [(true, false), (true, true), (false, true)])
    func variantMatchesNaiveDoubleAndFiniteDifferences(moco: Bool, global: Bool) {
        let (B, N, D) = (3, 4, 8)
        var rng = SeededRNG(seed: 11)
        let p = FloatBuffer((0..<B * N * D).map { _ in Float(rng.normal()) * 0.7 + 0.2 })
        let z = FloatBuffer((0..<B * N * D).map { _ in Float(rng.normal()) * 1.3 - 0.1 })
        let t = FloatBuffer(count: B * N * D), mean = FloatBuffer(count: B * N), rstd = FloatBuffer(count: B * N)
        LayerNorm.forward(out: t.pointer, mean: mean.pointer, rstd: rstd.pointer, input: z.pointer, weight: nil, bias: nil,
                          rows: B * N, channels: D, eps: 1e-5)
        let dP = FloatBuffer(count: B * N * D)
        let variants = LossVariants(config: LossConfig(negWeight: 0.02, norm: moco ? "moco" : "mae", kind: global ? "global" : "dense"), dim: D)
        let v = variants.forwardBackward(dPrediction: dP.pointer, prediction: p.pointer, targetRaw: z.pointer,
                                         targetNorm: t.pointer, batch: B, tokens: N, negWeight: 0.02)
        let P = p.array.map(Double.init), Z = z.array.map(Double.init)
        let want = Self.naive(P, Z, B: B, N: N, D: D, moco: moco, global: global, lambda: Double(Float(0.02)))
        #expect(abs(v.loss - want) <= 1e-5 * abs(want), "loss \(v.loss) vs naive \(want)")
        // C is a constant of the loss (no gradient, as the official loss): hold Z fixed, vary P.
        gradCheck("loss moco=\(moco) global=\(global)", names: ["P"], inputs: [P], analytic: [dP.array.map(Double.init)],
                  weights: [1], h: 1e-5, tolerance: 2e-3, floor: 1e-6) { xs in
            [Self.naive(xs[0], Z, B: B, N: N, D: D, moco: moco, global: global, lambda: Double(Float(0.02)))]
        }
    }

    /// With the official switches the variant path gives exactly the official loss (it is not used then,
    /// but the two must agree).
    @Test func denseMaeVariantEqualsTheOfficialLoss() {
        let (B, N, D) = (2, 5, 8)
        var rng = SeededRNG(seed: 5)
        let p = FloatBuffer((0..<B * N * D).map { _ in Float(rng.normal()) })
        let t = FloatBuffer((0..<B * N * D).map { _ in Float(rng.normal()) })
        let d1 = FloatBuffer(count: B * N * D), d2 = FloatBuffer(count: B * N * D)
        let c = FloatBuffer(count: D * D), pc = FloatBuffer(count: B * N * D)
        let official = UniGradLoss.forwardBackward(dPrediction: d1.pointer, correlation: c.pointer, pc: pc.pointer,
                                                   prediction: p.pointer, target: t.pointer, rows: B * N, dim: D, negWeight: 0.02)
        let variant = LossVariants(config: LossConfig(negWeight: 0.02), dim: D)
            .forwardBackward(dPrediction: d2.pointer, prediction: p.pointer, targetRaw: t.pointer, targetNorm: t.pointer,
                             batch: B, tokens: N, negWeight: 0.02)
        #expect(official == variant && d1.array == d2.array)
    }
}
