import SiamTrain
import ViT

/// Small configs built in code, so these tests don't depend on the committed presets.
enum TestConfigs {
    static func tiny(batch: Int = 4, steps: Int? = 20) -> RunConfig {
        RunConfig(
            data: DataConfig(source: "synthetic", path: nil, imageSize: 16, channels: 1, mean: [0.5], std: [0.25]),
            model: ModelConfig(patchSize: 4, dim: 32, depth: 2, heads: 2, mlpRatio: 4, projectorDepth: 1,
                               decoderDepth: 2, decoderHeads: 4),
            mask: MaskConfig(kind: "blockwise", count: 9, minBlock: 4, minAspect: 0.3),
            augment: AugmentConfig(cropMin: 0.08, view1: .view1, view2: .view2),
            optimizer: OptimizerConfig(lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.05, clipGrad: 1.0),
            schedule: ScheduleConfig(epochs: 4, warmupEpochs: 0.4),
            ema: EMAConfig(momentum: 0.995), loss: LossConfig(negWeight: 0.02),
            train: TrainConfig(batchSize: batch, steps: steps, seed: 0, logEvery: 10, snapshotEvery: 50,
                               checkpointEvery: 500, threads: 1))
    }
}
