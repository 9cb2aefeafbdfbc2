import Foundation
import Tensor

/// `siamon probe --save-features PATH`: the features probe-v1 saw, as one safetensors file, so that other
/// probes (or another implementation of this one) can be run on exactly the same numbers.
///
/// Per feature kind K (`encoder`, `pixels`, `random`): `K.train.features` F32 [N, D], `K.train.labels` I64 [N],
/// `K.test.features` F32 [M, D], `K.test.labels` I64 [M]. Features are as the probes receive them, i.e. before
/// the linear probe's standardisation. Metadata: `format` = `siamon-probe-features`, `protocol` = probe-v1,
/// `kinds` (comma-separated), and whatever the caller adds (preset, weights file).
public enum FeatureFile {
    public static let format = "siamon-probe-features"

    public struct Kind: Sendable {
        public let name: String
        public let train: FeatureSet
        public let test: FeatureSet
        public init(name: String, train: FeatureSet, test: FeatureSet) {
            self.name = name; self.train = train; self.test = test
        }
    }

    /// The tensor names of one kind's split, e.g. ("encoder.train.features", "encoder.train.labels").
    public static func names(kind: String, split: String) -> (features: String, labels: String) {
        ("\(kind).\(split).features", "\(kind).\(split).labels")
    }

    /// Writes every kind (atomically, via the project's safetensors writer).
    public static func write(path: String, kinds: [Kind], metadata: [String: String] = [:]) throws {
        var tensors: [NamedTensor] = []
        for k in kinds {
            for (split, set) in [("train", k.train), ("test", k.test)] {
                let n = names(kind: k.name, split: split)
                tensors.append(NamedTensor(name: n.features, shape: [set.count, set.dim],
                                           storage: .f32(UnsafePointer(set.features.pointer))))
                tensors.append(.int64(n.labels, shape: [set.count], set.labels.map { Int64($0) }))
            }
        }
        var meta = metadata
        meta["format"] = format
        meta["protocol"] = ProbeV1.protocolName
        meta["kinds"] = kinds.map(\.name).joined(separator: ",")
        // The sets own the memory the tensors borrow; keep them alive until the write returns.
        try withExtendedLifetime(kinds) { try SafetensorsFile.write(path: path, tensors: tensors, metadata: meta) }
    }

    /// Reads kind `kind` back (train and test sets).
    public static func read(path: String, kind: String) throws -> Kind {
        let file = try SafetensorsFile.read(path: path)
        func set(_ split: String) throws -> FeatureSet {
            let n = names(kind: kind, split: split)
            let (shape, values) = try file.tensor(n.features)
            let labels = try file.int64s(n.labels).map { Int($0) }
            guard shape.count == 2, shape[0] == labels.count else {
                throw ProbeError.input("\(path): \(n.features) has shape \(shape) but \(n.labels) has \(labels.count) labels; write the file again with siamon probe --save-features")
            }
            let buf = FloatBuffer(count: values.count)
            if !values.isEmpty { values.withUnsafeBufferPointer { buf.pointer.update(from: $0.baseAddress!, count: $0.count) } }
            return try FeatureSet(features: buf, dim: shape[1], labels: labels)
        }
        return Kind(name: kind, train: try set("train"), test: try set("test"))
    }
}
