import Tensor
import ViT

extension RunConfig {
    public static let dataSources = ["fashion-mnist", "cifar10", "folder", "synthetic"]
    public static let maskKinds = ["blockwise", "random"]

    /// Checks every rule a run depends on; the first broken rule throws one line naming the key and the rule.
    /// Non-finite numbers fail every rule because each check is written as the positive condition.
    public func validate(source: String = "config") throws {
        let r = Rules(source: source)
        try validateData(r)
        try validateModel(r)
        try validateMask(r)
        try validateAugment(r)
        try validateSwitches(r)
        try validateOptimization(r)
        try validateTrain(r)
    }

    private func validateData(_ r: Rules) throws {
        try r.check(Self.dataSources.contains(data.source), "data.source", data.source, "must be one of \(Self.dataSources.joined(separator: ", "))")
        try r.check(data.source != "folder" || !(data.path ?? "").isEmpty, "data.path", data.path ?? "none", "the folder source needs a path to an image folder")
        try r.check(data.channels == 1 || data.channels == 3, "data.channels", data.channels, "must be 1 (grey) or 3 (RGB)")
        try r.check(data.mean.count == data.channels, "data.mean", data.mean, "needs one value per channel (data.channels = \(data.channels))")
        try r.check(data.std.count == data.channels, "data.std", data.std, "needs one value per channel (data.channels = \(data.channels))")
        try r.check(data.mean.allSatisfy(\.isFinite), "data.mean", data.mean, "must be finite")
        try r.check(data.std.allSatisfy { $0 > 0 && $0.isFinite }, "data.std", data.std, "must be > 0 (it divides the pixels)")
        try r.check(data.imageSize >= 1 && data.imageSize <= Limits.imageSize, "data.image_size", data.imageSize, "must be in [1, \(Limits.imageSize)]")
    }

    private func validateModel(_ r: Rules) throws {
        let m = model
        try r.check(m.patchSize >= 1 && m.patchSize <= data.imageSize, "model.patch_size", m.patchSize, "must be in [1, data.image_size = \(data.imageSize)]")
        try r.check(data.imageSize % m.patchSize == 0, "data.image_size", data.imageSize, "must be divisible by model.patch_size = \(m.patchSize)")
        try r.check(networkShape.patches >= 2, "data.image_size", data.imageSize, "gives \(networkShape.patches) patch(es) with model.patch_size = \(m.patchSize); need at least 2")
        try r.check(m.dim >= 4 && m.dim <= Limits.dim, "model.dim", m.dim, "must be in [4, \(Limits.dim)]")
        try r.check(m.dim % 4 == 0, "model.dim", m.dim, "D must be divisible by 4 for the sin-cos embeddings")
        try r.check(m.heads >= 1, "model.heads", m.heads, "must be >= 1")
        try r.check(m.dim % m.heads == 0, "model.dim", m.dim, "D must be divisible by model.heads = \(m.heads)")
        try r.check(m.decoderHeads >= 1, "model.decoder_heads", m.decoderHeads, "must be >= 1")
        try r.check(m.dim % m.decoderHeads == 0, "model.dim", m.dim, "D must be divisible by model.decoder_heads = \(m.decoderHeads)")
        try r.check(m.depth >= 1 && m.depth <= Limits.depth, "model.depth", m.depth, "must be in [1, \(Limits.depth)]")
        try r.check(m.mlpRatio >= 1 && m.mlpRatio <= Limits.mlpRatio, "model.mlp_ratio", m.mlpRatio, "must be in [1, \(Limits.mlpRatio)]")
        try r.check(m.projectorDepth >= 1 && m.projectorDepth <= Limits.depth, "model.projector_depth", m.projectorDepth, "must be in [1, \(Limits.depth)]")
        try r.check(m.decoderDepth >= 1 && m.decoderDepth <= Limits.depth, "model.decoder_depth", m.decoderDepth, "must be in [1, \(Limits.depth)]")
    }

    private func validateMask(_ r: Rules) throws {
        let n = networkShape.patches
        try r.check(Self.maskKinds.contains(mask.kind), "mask.kind", mask.kind, "must be one of \(Self.maskKinds.joined(separator: ", "))")
        try r.check(mask.count > 0 && mask.count < n, "mask.count", mask.count,
                    "must be between 1 and \(n - 1) (the image has \(n) tokens and at least one must stay visible)")
        try r.check(mask.minBlock >= 1, "mask.min_block", mask.minBlock, "must be >= 1")
        try r.check(mask.minAspect > 0 && mask.minAspect <= 1, "mask.min_aspect", mask.minAspect, "must be in (0, 1] (aspects span [a, 1/a])")
    }

    private func validateAugment(_ r: Rules) throws {
        try r.check(augment.cropMin > 0 && augment.cropMin <= 1, "augment.crop_min", augment.cropMin, "must be in (0, 1]")
        for (name, v) in [("view1", augment.view1), ("view2", augment.view2)] {
            let p = "augment.\(name)."
            for (key, prob) in [("jitter_p", v.jitterP), ("grayscale_p", v.grayscaleP), ("blur_p", v.blurP), ("solarize_p", v.solarizeP)] {
                try r.check(prob >= 0 && prob <= 1, p + key, prob, "a probability must be in [0, 1]")
            }
            for (key, s) in [("brightness", v.brightness), ("contrast", v.contrast), ("saturation", v.saturation)] {
                try r.check(s >= 0 && s.isFinite, p + key, s, "must be >= 0 (the factor is drawn from [max(0, 1-x), 1+x])")
            }
            try r.check(v.hue >= 0 && v.hue <= 0.5, p + "hue", v.hue, "must be in [0, 0.5]")
            try r.check(v.blurSigmaMin > 0 && v.blurSigmaMin.isFinite, p + "blur_sigma_min", v.blurSigmaMin, "must be > 0")
            try r.check(v.blurSigmaMax >= v.blurSigmaMin && v.blurSigmaMax.isFinite, p + "blur_sigma_max", v.blurSigmaMax,
                        "must be >= blur_sigma_min = \(v.blurSigmaMin)")
        }
    }

    /// The Table-3 switches (docs/method.md §10): each a closed set of words; the loss variants apply to the feature target only.
    private func validateSwitches(_ r: Rules) throws {
        func oneOf(_ value: String, _ allowed: [String], _ key: String) throws {
            try r.check(allowed.contains(value), key, value, "must be one of \(allowed.joined(separator: ", "))")
        }
        try oneOf(model.target, ModelConfig.targets, "model.target")
        try oneOf(model.projectorNorm, ModelConfig.norms, "model.projector_norm")
        try oneOf(model.decoderNorm, ModelConfig.norms, "model.decoder_norm")
        try oneOf(augment.views, AugmentConfig.viewKinds, "augment.views")
        try oneOf(augment.colorAug, AugmentConfig.onOff, "augment.color_aug")
        try oneOf(loss.norm, LossConfig.norms, "loss.norm")
        try oneOf(loss.kind, LossConfig.kinds, "loss.kind")
        try r.check(!(model.pixelTarget && loss.moco), "loss.norm", loss.norm,
                    "moco normalises feature targets; the pixel target (model.target = pixel) takes mae")
        try r.check(!(model.pixelTarget && loss.global), "loss.kind", loss.kind,
                    "global pools feature targets; the pixel target (model.target = pixel) takes dense")
        // BatchNorm over the B pooled rows of one image is all zeros (then l2 of zero).
        try r.check(!(loss.global && loss.moco) || train.batchSize >= 2, "train.batch_size", train.batchSize,
                    "must be >= 2 with loss.kind = global and loss.norm = moco (BatchNorm over B pooled rows)")
    }

    private func validateOptimization(_ r: Rules) throws {
        let o = optimizer
        try r.check(o.lr > 0 && o.lr.isFinite, "optimizer.lr", o.lr, "must be > 0")
        try r.check(o.beta1 >= 0 && o.beta1 < 1, "optimizer.beta1", o.beta1, "must be in [0, 1)")
        try r.check(o.beta2 >= 0 && o.beta2 < 1, "optimizer.beta2", o.beta2, "must be in [0, 1)")
        try r.check(o.eps > 0 && o.eps.isFinite, "optimizer.eps", o.eps, "must be > 0")
        try r.check(o.weightDecay >= 0 && o.weightDecay.isFinite, "optimizer.weight_decay", o.weightDecay, "must be >= 0")
        try r.check(o.clipGrad.isFinite, "optimizer.clip_grad", o.clipGrad, "must be finite (<= 0 disables clipping)")
        try r.check(schedule.epochs > 0 && schedule.epochs.isFinite, "schedule.epochs", schedule.epochs, "must be > 0")
        try r.check(schedule.warmupEpochs >= 0 && schedule.warmupEpochs <= schedule.epochs, "schedule.warmup_epochs",
                    schedule.warmupEpochs, "must be in [0, schedule.epochs = \(schedule.epochs)]")
        try r.check(ema.momentum >= 0 && ema.momentum <= 1, "ema.momentum", ema.momentum, "must be in [0, 1]")
        try r.check(loss.negWeight >= 0 && loss.negWeight.isFinite, "loss.neg_weight", loss.negWeight, "must be >= 0")
    }

    /// batch_size >= 1 suffices: BatchNorm normalises over batch × tokens, and every sequence has at least
    /// 2 tokens (cls plus >= 1 visible), so even one image gives each BN layer >= 2 rows.
    private func validateTrain(_ r: Rules) throws {
        let t = train
        try r.check(t.batchSize >= 1 && t.batchSize <= Limits.batchSize, "train.batch_size", t.batchSize, "must be in [1, \(Limits.batchSize)]")
        // Step counts share the file-integer limit, so a step computed from them fits every store and file.
        let top = FileIntegers.max
        try r.check(t.steps.map { $0 >= 1 && $0 <= top } ?? true, "train.steps", t.steps.map(String.init) ?? "none",
                    "must be in [1, 2^53-1], or none to train by epochs")
        try r.check(t.seed <= UInt64(Int64.max), "train.seed", t.seed, "must be <= \(Int64.max)")
        try r.check(t.logEvery >= 1 && t.logEvery <= top, "train.log_every", t.logEvery, "must be in [1, 2^53-1]")
        try r.check(t.snapshotEvery >= 0 && t.snapshotEvery <= top, "train.snapshot_every", t.snapshotEvery,
                    "must be in [0, 2^53-1] (0 turns snapshots off)")
        try r.check(t.checkpointEvery >= 0 && t.checkpointEvery <= top, "train.checkpoint_every", t.checkpointEvery,
                    "must be in [0, 2^53-1] (0 turns periodic checkpoints off)")
        try r.check(t.threads >= 1 && t.threads <= 256, "train.threads", t.threads, "must be in [1, 256]")
        try r.check(TrainConfig.precisions.contains(t.precision), "train.precision", t.precision,
                    "must be one of \(TrainConfig.precisions.joined(separator: ", "))")
    }
}

/// Sanity caps that keep every size computed from a config (tokens, widths, buffers) far from Int overflow.
enum Limits {
    static let imageSize = 4096, dim = 16384, depth = 256, mlpRatio = 64, batchSize = 1 << 20
}

/// Throws `ConfigError.invalid` for a broken rule, naming the source.
struct Rules {
    let source: String
    func check(_ ok: Bool, _ key: String, _ value: Any, _ rule: String) throws {
        guard !ok else { return }
        let text: String
        switch value {
        case let a as [Float]: text = "[" + a.map { "\($0)" }.joined(separator: ", ") + "]"
        case let s as String: text = s
        default: text = "\(value)"
        }
        throw ConfigError.invalid(source: source, key: key, value: text, rule: rule)
    }
}
