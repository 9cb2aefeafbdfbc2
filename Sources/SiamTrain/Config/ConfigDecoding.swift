import Foundation
import Tensor
import ViT

extension RunConfig {
    /// Strict decoding of a preset's JSON: unknown keys anywhere, wrong types and missing keys are errors,
    /// and the result is validated. `source` names the input in messages (e.g. "preset fmnist-tiny.json").
    public static func decode(json bytes: [UInt8], source: String) throws -> RunConfig {
        let tree: JSONValue
        do throws(JSONParseError) { tree = try JSONValue.parse(bytes) } catch {
            throw ConfigError.badJSON(source: source, detail: error.description)
        }
        let config = try fromTree(tree, source: source)
        try config.validate(source: source)
        return config
    }

    public static func decode(json text: String, source: String) throws -> RunConfig {
        try decode(json: Array(text.utf8), source: source)
    }

    /// Builds a config from a parsed tree, field by field through the schema (no validation of values).
    static func fromTree(_ tree: JSONValue, source: String) throws -> RunConfig {
        let fields = ConfigField.all
        try checkKeys(tree, prefix: "", source: source, fields: fields)
        var config = RunConfig.placeholder
        for f in fields {
            guard let raw = lookup(tree, f.key) else {
                if let d = f.defaultValue { f.set(&config, d); continue }
                if f.kind == .optionalString || f.kind == .optionalInt { f.set(&config, .null); continue }
                throw ConfigError.missingKey(source: source, key: f.key)
            }
            guard let v = f.kind.accept(raw) else {
                throw ConfigError.wrongType(source: source, key: f.key, expected: f.kind.expected, got: describe(raw))
            }
            f.set(&config, v)
        }
        return config
    }

    /// Every key in the tree must be a field or a section on the way to one.
    private static func checkKeys(_ node: JSONValue, prefix: String, source: String, fields: [ConfigField]) throws {
        guard case .object(let o) = node else {
            throw ConfigError.wrongType(source: source, key: prefix.isEmpty ? "the preset" : prefix, expected: "an object", got: describe(node))
        }
        let keys = fields.map(\.key)
        let sections = Self.sections
        for k in o.keys.sorted() {
            let path = prefix.isEmpty ? k : prefix + "." + k
            if keys.contains(path) { continue }
            if sections.contains(path) { try checkKeys(o[k]!, prefix: path, source: source, fields: fields); continue }
            throw ConfigError.unknownKey(source: source, key: path, suggestion: DidYouMean.suggest(path, among: keys + sections))
        }
    }

    static let sections = sectionNames(ConfigField.all.map(\.key))

    /// "augment", "augment.view1", ...: every proper dotted prefix of a field key.
    static func sectionNames(_ keys: [String]) -> [String] {
        var out = Set<String>()
        for k in keys {
            let parts = k.split(separator: ".")
            for n in 1..<parts.count { out.insert(parts[0..<n].joined(separator: ".")) }
        }
        return out.sorted()
    }

    private static func lookup(_ tree: JSONValue, _ key: String) -> JSONValue? {
        var node = tree
        for part in key.split(separator: ".") {
            guard case .object(let o) = node, let next = o[String(part)] else { return nil }
            node = next
        }
        return node
    }

    /// The value's type and, when short, the value itself: `a string ("128")`.
    static func describe(_ v: JSONValue) -> String {
        let text = v.serialized
        return text.count <= 24 && v.typeName != "null" ? "\(v.typeName) (\(text))" : v.typeName
    }

    /// Every field is overwritten by `fromTree`; these values are never seen.
    static let placeholder = RunConfig(
        data: DataConfig(source: "", path: nil, imageSize: 0, channels: 0, mean: [], std: []),
        model: ModelConfig(patchSize: 0, dim: 0, depth: 0, heads: 0, mlpRatio: 0, projectorDepth: 0, decoderDepth: 0, decoderHeads: 0),
        mask: MaskConfig(kind: "", count: 0, minBlock: 0, minAspect: 0),
        augment: AugmentConfig(cropMin: 0, view1: .view1, view2: .view2),
        optimizer: OptimizerConfig(lr: 0, beta1: 0, beta2: 0, eps: 0, weightDecay: 0, clipGrad: 0),
        schedule: ScheduleConfig(epochs: 0, warmupEpochs: 0), ema: EMAConfig(momentum: 0), loss: LossConfig(negWeight: 0),
        train: TrainConfig(batchSize: 0, steps: nil, seed: 0, logEvery: 0, snapshotEvery: 0, checkpointEvery: 0, threads: 0))
}
