import Tensor
import ViT

/// A preset (runs/presets/*.json): every setting of a run, in the sections of docs/architecture.md §4.
/// JSON keys are snake_case. Field names here are shared API: other modules read them.
/// Read presets with `Presets.load(nameOrPath:)` or `RunConfig.decode(json:source:)` (strict: unknown keys,
/// wrong types and broken rules are one-line errors), not with a plain `JSONDecoder`, which ignores unknown keys.
/// `--set` goes through `applying(overrides:)`; `json()` is the canonical form recorded with a run (Config/).
public struct RunConfig: Codable, Sendable, Equatable {
    public var data: DataConfig
    public var model: ModelConfig
    public var mask: MaskConfig
    public var augment: AugmentConfig
    public var optimizer: OptimizerConfig
    public var schedule: ScheduleConfig
    public var ema: EMAConfig
    public var loss: LossConfig
    public var train: TrainConfig

    public init(data: DataConfig, model: ModelConfig, mask: MaskConfig, augment: AugmentConfig,
                optimizer: OptimizerConfig, schedule: ScheduleConfig, ema: EMAConfig, loss: LossConfig, train: TrainConfig) {
        self.data = data; self.model = model; self.mask = mask; self.augment = augment; self.optimizer = optimizer
        self.schedule = schedule; self.ema = ema; self.loss = loss; self.train = train
    }

    public var networkShape: NetworkShape {
        NetworkShape(model: model, imageSize: data.imageSize, channels: data.channels, maskCount: mask.count)
    }

    /// The FLOP table of one step of this config (the global loss runs UniGrad on B rows, not B·N).
    public func stepFlops(batch: Int) -> StepFlops {
        StepFlops(shape: networkShape, batch: batch, lossRows: loss.global ? batch : nil)
    }
}

public struct DataConfig: Codable, Sendable, Equatable {
    public var source: String          // "fashion-mnist" | "cifar10" | "folder" | "synthetic"
    public var path: String?           // directory; nil = the source's default location
    public var imageSize: Int
    public var channels: Int
    public var mean: [Float]           // per channel
    public var std: [Float]
    enum CodingKeys: String, CodingKey { case source, path, imageSize = "image_size", channels, mean, std }
    public init(source: String, path: String?, imageSize: Int, channels: Int, mean: [Float], std: [Float]) {
        self.source = source; self.path = path; self.imageSize = imageSize; self.channels = channels
        self.mean = mean; self.std = std
    }
}

public struct MaskConfig: Codable, Sendable, Equatable {
    public var kind: String            // "blockwise" | "random"
    public var count: Int              // masked patches per sample (exact)
    public var minBlock: Int           // BEiT min_num_patches
    public var minAspect: Double       // aspect in [min_aspect, 1/min_aspect]
    enum CodingKeys: String, CodingKey { case kind, count, minBlock = "min_block", minAspect = "min_aspect" }
    public init(kind: String, count: Int, minBlock: Int, minAspect: Double) {
        self.kind = kind; self.count = count; self.minBlock = minBlock; self.minAspect = minAspect
    }
}

/// One view's colour recipe (MoCo v3 asymmetric pair, docs/method.md §5).
public struct ColorRecipe: Codable, Sendable, Equatable {
    public var jitterP: Double         // 0.8
    public var brightness: Double      // 0.4
    public var contrast: Double        // 0.4
    public var saturation: Double      // 0.2
    public var hue: Double             // 0.1
    public var grayscaleP: Double      // 0.2
    public var blurP: Double           // 1.0 view 1, 0.1 view 2
    public var blurSigmaMin: Double    // 0.1
    public var blurSigmaMax: Double    // 2.0
    public var solarizeP: Double       // 0 view 1, 0.2 view 2
    enum CodingKeys: String, CodingKey {
        case jitterP = "jitter_p", brightness, contrast, saturation, hue, grayscaleP = "grayscale_p", blurP = "blur_p"
        case blurSigmaMin = "blur_sigma_min", blurSigmaMax = "blur_sigma_max", solarizeP = "solarize_p"
    }
    public init(jitterP: Double, brightness: Double, contrast: Double, saturation: Double, hue: Double,
                grayscaleP: Double, blurP: Double, blurSigmaMin: Double, blurSigmaMax: Double, solarizeP: Double) {
        self.jitterP = jitterP; self.brightness = brightness; self.contrast = contrast; self.saturation = saturation
        self.hue = hue; self.grayscaleP = grayscaleP; self.blurP = blurP; self.blurSigmaMin = blurSigmaMin
        self.blurSigmaMax = blurSigmaMax; self.solarizeP = solarizeP
    }
    public static let view1 = ColorRecipe(jitterP: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1,
                                          grayscaleP: 0.2, blurP: 1.0, blurSigmaMin: 0.1, blurSigmaMax: 2.0, solarizeP: 0)
    public static let view2 = ColorRecipe(jitterP: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1,
                                          grayscaleP: 0.2, blurP: 0.1, blurSigmaMin: 0.1, blurSigmaMax: 2.0, solarizeP: 0.2)
}

public struct AugmentConfig: Codable, Sendable, Equatable {
    public var cropMin: Double         // RandomResizedCrop scale lower bound (0.08 official)
    public var view1: ColorRecipe
    public var view2: ColorRecipe
    /// Table-3 switches; the defaults are the official setting.
    public var views: String           // "different" | "same" (x2 = x1: same flip, crop and colour; identity geometry)
    public var colorAug: String        // "on" | "off" (off: flip, crop and normalise only)
    enum CodingKeys: String, CodingKey { case cropMin = "crop_min", view1, view2, views, colorAug = "color_aug" }
    public static let viewKinds = ["different", "same"]
    public static let onOff = ["on", "off"]
    public init(cropMin: Double, view1: ColorRecipe, view2: ColorRecipe, views: String = "different", colorAug: String = "on") {
        self.cropMin = cropMin; self.view1 = view1; self.view2 = view2; self.views = views; self.colorAug = colorAug
    }
    public var sameView: Bool { views == "same" }
    public var colour: Bool { colorAug != "off" }
}

public struct OptimizerConfig: Codable, Sendable, Equatable {
    public var lr: Double              // absolute peak LR (not scaled by batch)
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double
    public var clipGrad: Double        // max global norm; <= 0 disables
    enum CodingKeys: String, CodingKey { case lr, beta1, beta2, eps, weightDecay = "weight_decay", clipGrad = "clip_grad" }
    public init(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, clipGrad: Double) {
        self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay; self.clipGrad = clipGrad
    }
}

public struct ScheduleConfig: Codable, Sendable, Equatable {
    public var epochs: Double
    public var warmupEpochs: Double
    enum CodingKeys: String, CodingKey { case epochs, warmupEpochs = "warmup_epochs" }
    public init(epochs: Double, warmupEpochs: Double) { self.epochs = epochs; self.warmupEpochs = warmupEpochs }
}

public struct EMAConfig: Codable, Sendable, Equatable {
    public var momentum: Double        // m0; cosine to 1 over the run
    public init(momentum: Double) { self.momentum = momentum }
}

public struct LossConfig: Codable, Sendable, Equatable {
    public var negWeight: Double       // λ
    /// Table-3 switches; the defaults are the official setting.
    public var normPix: Bool           // pixel target only: per-patch mean/var normalisation (MAE norm_pix_loss)
    public var norm: String            // "mae" (LN target, raw prediction) | "moco" (BN no affine + l2 on both)
    public var kind: String            // "dense" (per token) | "global" (tokens mean-pooled per image first)
    enum CodingKeys: String, CodingKey { case negWeight = "neg_weight", normPix = "norm_pix", norm, kind }
    public static let norms = ["mae", "moco"]
    public static let kinds = ["dense", "global"]
    public init(negWeight: Double, normPix: Bool = true, norm: String = "mae", kind: String = "dense") {
        self.negWeight = negWeight; self.normPix = normPix; self.norm = norm; self.kind = kind
    }
    public var moco: Bool { norm == "moco" }
    public var global: Bool { kind == "global" }
}

public struct TrainConfig: Codable, Sendable, Equatable {
    public var batchSize: Int
    public var steps: Int?             // when set, overrides epochs
    public var seed: UInt64
    public var logEvery: Int
    public var snapshotEvery: Int
    public var checkpointEvery: Int
    public var threads: Int            // BLAS/compute threads for this run
    /// The matrix products' operand precision: "fp32" | "bf16" (operands rounded to bf16, fp32 sums and outputs;
    /// weights, optimizer, EMA, norms, softmax and loss stay fp32). See `GemmPrecision`.
    public var precision: String
    enum CodingKeys: String, CodingKey {
        case batchSize = "batch_size", steps, seed, logEvery = "log_every", snapshotEvery = "snapshot_every"
        case checkpointEvery = "checkpoint_every", threads, precision
    }
    public static let precisions = GemmPrecision.allCases.map(\.rawValue)
    public init(batchSize: Int, steps: Int?, seed: UInt64, logEvery: Int, snapshotEvery: Int, checkpointEvery: Int, threads: Int,
                precision: String = "fp32") {
        self.batchSize = batchSize; self.steps = steps; self.seed = seed; self.logEvery = logEvery
        self.snapshotEvery = snapshotEvery; self.checkpointEvery = checkpointEvery; self.threads = threads
        self.precision = precision
    }
    /// The validated precision (validation admits only `precisions`).
    public var gemmPrecision: GemmPrecision { GemmPrecision(rawValue: precision) ?? .fp32 }
}
