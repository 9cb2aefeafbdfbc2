import Synchronization
import Tensor

/// Builds training batches synchronously. Every random draw depends only on (seed, step): the epoch's sample
/// order comes from (seed, epoch) and each sample's augmentation and mask from (seed, step, slot), so
/// batch k is the same whether a run started at step 0 or resumed at step k.
public final class BatchBuilder: Sendable {
    public let source: ImageSource
    public let batchSize: Int
    public let imageSize: Int
    public let channels: Int
    public let grid: Int
    public let seed: UInt64
    /// Full batches per epoch (drop_last).
    public let stepsPerEpoch: Int
    public let augmenter: TwoViewAugmenter
    public let masks: MaskGenerator
    let mean: [Float], std: [Float]
    private let orderCache = Mutex<(epoch: Int, order: [Int])?>(nil)

    public init(source: ImageSource, config: RunConfig) throws {
        let d = config.data, b = config.train.batchSize, p = config.model.patchSize
        guard d.channels == 1 || d.channels == 3 else { throw DataError.badConfig(key: "data.channels", detail: "is \(d.channels), expected 1 or 3") }
        guard d.mean.count == d.channels, d.std.count == d.channels, d.std.allSatisfy({ $0 > 0 }) else {
            throw DataError.badConfig(key: "data.mean", detail: "and data.std need \(d.channels) values (std > 0), got \(d.mean) / \(d.std)")
        }
        guard p > 0, d.imageSize > 0, d.imageSize % p == 0 else {
            throw DataError.badConfig(key: "data.image_size", detail: "\(d.imageSize) is not a multiple of model.patch_size \(p)")
        }
        guard b > 0, source.count >= b else {
            throw DataError.badConfig(key: "train.batch_size", detail: "\(b) needs at least that many images, \(source.name) has \(source.count)")
        }
        let grid = d.imageSize / p
        guard config.mask.count >= 0, config.mask.count < grid * grid else {
            throw DataError.badConfig(key: "mask.count", detail: "\(config.mask.count) must be below the \(grid * grid) patches")
        }
        self.source = source; batchSize = b; imageSize = d.imageSize; channels = d.channels; self.grid = grid
        seed = config.train.seed; stepsPerEpoch = source.count / b
        mean = d.mean; std = d.std
        augmenter = TwoViewAugmenter(imageSize: d.imageSize, augment: config.augment)
        masks = MaskGenerators.make(config.mask, grid: grid)
    }

    /// SplitMix64 finaliser of (a, b): decorrelated seeds for derived streams.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var x = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    /// The seeded shuffle of all source indices for one epoch.
    public func order(epoch: Int) -> [Int] {
        if let cached = orderCache.withLock({ $0 }), cached.epoch == epoch { return cached.order }
        var rng = SeededRNG(seed: BatchBuilder.mix(seed ^ 0x0E90_C4, UInt64(epoch)))
        var order = Array(0..<source.count)
        for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.int(0, k)) }
        orderCache.withLock { $0 = (epoch, order) }
        return order
    }

    /// Source indices of batch `step` (epoch = step / stepsPerEpoch; the tail of each epoch is dropped).
    public func indices(step: Int) -> [Int] {
        let epoch = step / stepsPerEpoch, slot = step % stepsPerEpoch
        return Array(order(epoch: epoch)[(slot * batchSize)..<((slot + 1) * batchSize)])
    }

    /// The generator for sample `slot` of batch `step`; masks draw from a separate stream.
    public func sampleRNG(step: Int, slot: Int, stream: UInt64 = 0) -> SeededRNG {
        SeededRNG(seed: BatchBuilder.mix(BatchBuilder.mix(BatchBuilder.mix(seed, UInt64(step)), UInt64(slot)), stream))
    }

    public func build(step: Int) -> Batch {
        let idx = indices(step: step)
        let batch = Batch(size: batchSize, channels: channels, imageSize: imageSize, patches: grid * grid)
        let plane = channels * imageSize * imageSize, n = grid * grid
        for (slot, index) in idx.enumerated() {
            let image = source.image(index).converted(toChannels: channels)
            var rng = sampleRNG(step: step, slot: slot)
            let out = augmenter.apply(image, &rng)
            TwoViewAugmenter.normalize(batch.x1.pointer + slot * plane, out.view1, mean: mean, std: std)
            TwoViewAugmenter.normalize(batch.x2.pointer + slot * plane, out.view2, mean: mean, std: std)
            var maskRNG = sampleRNG(step: step, slot: slot, stream: 1)
            let mask = masks.generate(&maskRNG)
            for k in 0..<n { batch.mask[slot * n + k] = mask[k] }
            batch.geometry[slot] = out.geometry
            batch.crops[slot] = out.boxes
            batch.labels[slot] = source.label(index) ?? -1
            batch.sourceIndex[slot] = index
        }
        return batch
    }
}
