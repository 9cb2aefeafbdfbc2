import Testing
import Tensor
import ViT
@testable import SiamTrain

@Suite(.serialized) struct TrainerTests {
    /// A batch of random images with exact-count masks and varied geometry (no data pipeline involved).
    static func randomBatch(_ c: RunConfig, seed: UInt64) -> Batch {
        let S = c.networkShape, B = c.train.batchSize
        let batch = Batch(size: B, channels: S.channels, imageSize: S.imageSize, patches: S.patches)
        var rng = SeededRNG(seed: seed)
        for i in 0..<batch.x1.count { batch.x1[i] = Float(rng.normal()); batch.x2[i] = Float(rng.normal()) }
        for b in 0..<B {
            var order = Array(0..<S.patches); order.shuffle(using: &rng)
            for n in order.prefix(S.maskCount) { batch.mask[b * S.patches + n] = 1 }
            batch.geometry[b] = ViewGeometry(deltaI: Float(rng.uniform(-0.3, 0.3)), deltaJ: Float(rng.uniform(-0.3, 0.3)),
                                             deltaH: Float(rng.uniform(0.6, 1.5)), deltaW: Float(rng.uniform(0.6, 1.5)),
                                             relativeFlip: rng.uniform() < 0.5, flipDeltaJ: Float(rng.uniform(0, 1)))
        }
        return batch
    }

    @Test func emaWithMomentumOneLeavesTargetUnchanged() {
        let c = TestConfigs.tiny()
        let t = SiameseTrainer(config: c, stepsPerEpoch: 10)
        let batch = Self.randomBatch(c, seed: 1)
        _ = t.step(batch, step: 0, lr: 1e-2, momentum: 1)   // moves the online weights
        let before = t.network.target.storage.array
        _ = t.step(batch, step: 1, lr: 1e-2, momentum: 1)
        #expect(t.network.target.storage.array == before)
        #expect(t.network.params.storage.array.prefix(t.network.layout.emaCount).elementsEqual(before) == false)
    }

    @Test func emaWithMomentumZeroCopiesOnline() {
        let c = TestConfigs.tiny()
        let t = SiameseTrainer(config: c, stepsPerEpoch: 10)
        let batch = Self.randomBatch(c, seed: 2)
        _ = t.step(batch, step: 0, lr: 1e-2, momentum: 0.9)
        t.network.emaUpdate(momentum: 0)
        let online = Array(t.network.params.storage.array.prefix(t.network.layout.emaCount))
        #expect(t.network.target.storage.array == online)
    }

    @Test func repeatedStepsOnOneBatchLowerTheLoss() {
        let c = TestConfigs.tiny()
        let t = SiameseTrainer(config: c, stepsPerEpoch: 10)
        let batch = Self.randomBatch(c, seed: 3)
        var losses: [Double] = []
        for k in 0..<12 { losses.append(t.step(batch, step: k, lr: 2e-3, momentum: 0.995).loss) }
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.last! < losses.first! * 0.9, "losses: \(losses)")
    }

    @Test func sameSeedGivesBitIdenticalLosses() {
        let c = TestConfigs.tiny()
        func run() -> [Double] {
            let t = SiameseTrainer(config: c, stepsPerEpoch: 10)
            let batch = Self.randomBatch(c, seed: 4)
            return (0..<3).map { t.step(batch, step: $0, lr: 1e-3, momentum: 0.995).loss }
        }
        let saved = Blas.threads
        Blas.threads = 1
        defer { Blas.threads = saved }
        #expect(run() == run())
    }
}
