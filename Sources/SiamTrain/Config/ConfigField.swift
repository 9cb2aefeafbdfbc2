import Foundation
import Tensor

/// One leaf of a preset: its dotted key, its type, and how to read and write it on a `RunConfig`.
/// The table `ConfigField.all` is the schema that strict decoding, `--set`, `flattened()` and the
/// unknown-key check share, so they cannot disagree about which keys exist.
struct ConfigField {
    enum Kind {
        case int, double, string, optionalString, optionalInt, seed, floats, bool

        var expected: String {
            switch self {
            case .int: "an integer"
            case .double: "a number"
            case .string: "a string"
            case .optionalString: "a string or null"
            case .optionalInt: "an integer or null"
            case .seed: "a non-negative integer"
            case .floats: "an array of numbers"
            case .bool: "true or false"
            }
        }

        /// The value normalised to this kind (integers widen to numbers), or nil when the type is wrong.
        func accept(_ v: JSONValue) -> JSONValue? {
            switch (self, v) {
            case (.int, .int), (.string, .string), (.optionalString, .string), (.optionalString, .null),
                 (.optionalInt, .int), (.optionalInt, .null), (.bool, .bool): return v
            case (.seed, .int(let i)): return i >= 0 ? v : nil
            case (.double, .int(let i)): return .double(Double(i))
            case (.double, .double): return v
            case (.floats, .array(let a)):
                let nums = a.compactMap(\.number)
                return nums.count == a.count ? .array(nums.map { .double($0) }) : nil
            default: return nil
            }
        }

        /// Parses `--set` text: integers, finite numbers, strings, `none`/`null` for optionals,
        /// and comma-separated numbers (brackets optional) for arrays.
        func parse(_ text: String) -> JSONValue? {
            switch self {
            case .int: return Int(text).map { .int($0) }
            case .seed: return Int(text).flatMap { $0 >= 0 ? .int($0) : nil }
            case .double: return Double(text).flatMap { $0.isFinite ? .double($0) : nil }
            case .string: return .string(text)
            case .optionalString: return text == "none" || text == "null" ? .null : .string(text)
            case .optionalInt: return text == "none" || text == "null" ? .null : Int(text).map { .int($0) }
            case .bool: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
            case .floats:
                var t = Substring(text)
                if t.hasPrefix("[") && t.hasSuffix("]") { t = t.dropFirst().dropLast() }
                let parts = t.split(separator: ",", omittingEmptySubsequences: false)
                    .map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite == true }) else { return nil }
                return .array(parts.map { .double($0!) })
            }
        }
    }

    let key: String
    let kind: Kind
    let get: (RunConfig) -> JSONValue
    let set: (inout RunConfig, JSONValue) -> Void
    /// The value a missing key decodes to. Only keys added after presets were first stored have one (the
    /// official setting), so older presets and run configs kept in databases still load; nil = required.
    var defaultValue: JSONValue? = nil

    func withDefault(_ v: JSONValue) -> ConfigField { var f = self; f.defaultValue = v; return f }

    /// The value as `--set` would take it back (so flattened() round-trips through applying(overrides:)).
    func text(_ config: RunConfig) -> String {
        switch get(config) {
        case .null: return "none"
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return "\(d)"
        case .array(let a): return a.map { v in v.number.map { "\($0)" } ?? "?" }.joined(separator: ",")
        case .bool(let b): return b ? "true" : "false"
        default: return "?"
        }
    }
}

extension ConfigField {
    static func int(_ key: String, _ kp: WritableKeyPath<RunConfig, Int>) -> ConfigField {
        ConfigField(key: key, kind: .int, get: { .int($0[keyPath: kp]) }, set: { c, v in if case .int(let i) = v { c[keyPath: kp] = i } })
    }
    static func double(_ key: String, _ kp: WritableKeyPath<RunConfig, Double>) -> ConfigField {
        ConfigField(key: key, kind: .double, get: { .double($0[keyPath: kp]) }, set: { c, v in if let d = v.number { c[keyPath: kp] = d } })
    }
    static func string(_ key: String, _ kp: WritableKeyPath<RunConfig, String>) -> ConfigField {
        ConfigField(key: key, kind: .string, get: { .string($0[keyPath: kp]) }, set: { c, v in if case .string(let s) = v { c[keyPath: kp] = s } })
    }
    static func optionalString(_ key: String, _ kp: WritableKeyPath<RunConfig, String?>) -> ConfigField {
        ConfigField(key: key, kind: .optionalString, get: { $0[keyPath: kp].map { .string($0) } ?? .null },
                    set: { c, v in if case .string(let s) = v { c[keyPath: kp] = s } else { c[keyPath: kp] = nil } })
    }
    static func optionalInt(_ key: String, _ kp: WritableKeyPath<RunConfig, Int?>) -> ConfigField {
        ConfigField(key: key, kind: .optionalInt, get: { $0[keyPath: kp].map { .int($0) } ?? .null },
                    set: { c, v in if case .int(let i) = v { c[keyPath: kp] = i } else { c[keyPath: kp] = nil } })
    }
    static func seed(_ key: String, _ kp: WritableKeyPath<RunConfig, UInt64>) -> ConfigField {
        ConfigField(key: key, kind: .seed, get: { .int(Int(clamping: $0[keyPath: kp])) },
                    set: { c, v in if case .int(let i) = v, i >= 0 { c[keyPath: kp] = UInt64(i) } })
    }
    static func bool(_ key: String, _ kp: WritableKeyPath<RunConfig, Bool>) -> ConfigField {
        ConfigField(key: key, kind: .bool, get: { .bool($0[keyPath: kp]) }, set: { c, v in if case .bool(let b) = v { c[keyPath: kp] = b } })
    }
    static func floats(_ key: String, _ kp: WritableKeyPath<RunConfig, [Float]>) -> ConfigField {
        ConfigField(key: key, kind: .floats, get: { .array($0[keyPath: kp].map { .double(Double("\($0)") ?? Double($0)) }) },
                    set: { c, v in if case .array(let a) = v { c[keyPath: kp] = a.compactMap(\.number).map { Float($0) } } })
    }

    static func colour(_ view: String, _ kp: WritableKeyPath<RunConfig, ColorRecipe>) -> [ConfigField] {
        let p = "augment.\(view)."
        return [
            .double(p + "jitter_p", kp.appending(path: \.jitterP)), .double(p + "brightness", kp.appending(path: \.brightness)),
            .double(p + "contrast", kp.appending(path: \.contrast)), .double(p + "saturation", kp.appending(path: \.saturation)),
            .double(p + "hue", kp.appending(path: \.hue)), .double(p + "grayscale_p", kp.appending(path: \.grayscaleP)),
            .double(p + "blur_p", kp.appending(path: \.blurP)), .double(p + "blur_sigma_min", kp.appending(path: \.blurSigmaMin)),
            .double(p + "blur_sigma_max", kp.appending(path: \.blurSigmaMax)), .double(p + "solarize_p", kp.appending(path: \.solarizeP)),
        ]
    }

    /// Every leaf of a preset, sorted by key. Built once; immutable afterwards, hence safe to share.
    nonisolated(unsafe) static let all: [ConfigField] = {
        let fields: [ConfigField] = [
            .string("data.source", \.data.source), .optionalString("data.path", \.data.path),
            .int("data.image_size", \.data.imageSize), .int("data.channels", \.data.channels),
            .floats("data.mean", \.data.mean), .floats("data.std", \.data.std),
            .int("model.patch_size", \.model.patchSize), .int("model.dim", \.model.dim), .int("model.depth", \.model.depth),
            .int("model.heads", \.model.heads), .int("model.mlp_ratio", \.model.mlpRatio),
            .int("model.projector_depth", \.model.projectorDepth), .int("model.decoder_depth", \.model.decoderDepth),
            .int("model.decoder_heads", \.model.decoderHeads),
            .string("mask.kind", \.mask.kind), .int("mask.count", \.mask.count), .int("mask.min_block", \.mask.minBlock),
            .double("mask.min_aspect", \.mask.minAspect),
            .double("augment.crop_min", \.augment.cropMin),
            .double("optimizer.lr", \.optimizer.lr), .double("optimizer.beta1", \.optimizer.beta1),
            .double("optimizer.beta2", \.optimizer.beta2), .double("optimizer.eps", \.optimizer.eps),
            .double("optimizer.weight_decay", \.optimizer.weightDecay), .double("optimizer.clip_grad", \.optimizer.clipGrad),
            .double("schedule.epochs", \.schedule.epochs), .double("schedule.warmup_epochs", \.schedule.warmupEpochs),
            .double("ema.momentum", \.ema.momentum), .double("loss.neg_weight", \.loss.negWeight),
            .int("train.batch_size", \.train.batchSize), .optionalInt("train.steps", \.train.steps), .seed("train.seed", \.train.seed),
            .int("train.log_every", \.train.logEvery), .int("train.snapshot_every", \.train.snapshotEvery),
            .int("train.checkpoint_every", \.train.checkpointEvery), .int("train.threads", \.train.threads),
        ] + colour("view1", \.augment.view1) + colour("view2", \.augment.view2) + ablationSwitches
            + laterRunSettings
        return fields.sorted { $0.key < $1.key }
    }()

    /// The paper's Table-3 switches (docs/method.md §10). Presets and recorded configs may predate them, so each
    /// defaults to the official setting.
    static var ablationSwitches: [ConfigField] { [
        ConfigField.string("model.target", \.model.target).withDefault(.string("feature")),
        ConfigField.string("model.projector_norm", \.model.projectorNorm).withDefault(.string("bn")),
        ConfigField.string("model.decoder_norm", \.model.decoderNorm).withDefault(.string("bn")),
        ConfigField.string("augment.views", \.augment.views).withDefault(.string("different")),
        ConfigField.string("augment.color_aug", \.augment.colorAug).withDefault(.string("on")),
        ConfigField.bool("loss.norm_pix", \.loss.normPix).withDefault(.bool(true)),
        ConfigField.string("loss.norm", \.loss.norm).withDefault(.string("mae")),
        ConfigField.string("loss.kind", \.loss.kind).withDefault(.string("dense")),
    ] }

    /// Run settings added after presets were stored; each defaults to what runs did before it existed.
    static var laterRunSettings: [ConfigField] { [
        ConfigField.string("train.precision", \.train.precision).withDefault(.string("fp32")),
    ] }

    static func named(_ key: String) -> ConfigField? { all.first { $0.key == key } }
}
