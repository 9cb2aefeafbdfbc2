import Foundation
import TestSupport
@testable import SiamTrain
import ViT

/// Paths and configs shared by the data tests.
enum DataFixtures {
    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/data").path
    }()

    static func tempDir(_ tag: String) -> String { TempDir.fresh("data-\(tag)") }

    static func write(_ bytes: [UInt8], to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// fmnist-tiny as docs/method.md §12 describes it (the presets module owns the real one).
    static func fmnistTiny(batch: Int = 256, seed: UInt64 = 7, source: String = "fashion-mnist") -> RunConfig {
        RunConfig(
            data: DataConfig(source: source, path: nil, imageSize: 28, channels: 1, mean: [0.2860], std: [0.3530]),
            model: ModelConfig(patchSize: 4, dim: 128, depth: 6, heads: 4, mlpRatio: 4,
                               projectorDepth: 2, decoderDepth: 4, decoderHeads: 4),
            mask: MaskConfig(kind: "blockwise", count: 29, minBlock: 16, minAspect: 0.3),
            augment: AugmentConfig(cropMin: 0.08, view1: .view1, view2: .view2),
            optimizer: OptimizerConfig(lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.05, clipGrad: 1),
            schedule: ScheduleConfig(epochs: 4, warmupEpochs: 0.4),
            ema: EMAConfig(momentum: 0.995),
            loss: LossConfig(negWeight: 0.02),
            train: TrainConfig(batchSize: batch, steps: nil, seed: seed, logEvery: 10, snapshotEvery: 100,
                               checkpointEvery: 500, threads: 2))
    }
}
