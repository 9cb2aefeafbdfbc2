#if _endian(big)
#error("the safetensors writer copies Float32 memory as little-endian bytes")
#endif

/// A named tensor to write: Float32 memory (borrowed for the duration of the write) or Int64 values
/// (for `num_batches_tracked`-style counters that PyTorch state dicts hold).
public struct NamedTensor: @unchecked Sendable {
    public enum Storage {
        case f32(UnsafePointer<Float>)
        case i64([Int64])
    }
    public let name: String
    public let shape: [Int]
    public let storage: Storage

    public init(name: String, shape: [Int], storage: Storage) {
        self.name = name; self.shape = shape; self.storage = storage
    }
    /// A Float32 tensor viewing `view`'s memory.
    public init(_ name: String, _ view: TensorView) {
        self.init(name: name, shape: view.shape, storage: .f32(UnsafePointer(view.pointer)))
    }
    public static func int64(_ name: String, shape: [Int], _ values: [Int64]) -> NamedTensor {
        NamedTensor(name: name, shape: shape, storage: .i64(values))
    }

    public var count: Int { shape.reduce(1, *) }
    var dtype: String { if case .i64 = storage { "I64" } else { "F32" } }
    /// The reference writer orders by dtype (I64 before F32 in its enum order), then by name.
    var rank: Int { if case .i64 = storage { 1 } else { 0 } }
}

extension SafetensorsFile {
    /// Writes Float32 tensors (see the `NamedTensor` overload).
    public static func write(path: String, tensors: [(name: String, shape: [Int], data: UnsafePointer<Float>)],
                             metadata: [String: String] = [:]) throws {
        try write(path: path, tensors: tensors.map { NamedTensor(name: $0.name, shape: $0.shape, storage: .f32($0.data)) },
                  metadata: metadata)
    }

    /// Writes `tensors` as the reference Python library does (sorted by dtype then name, contiguous, header
    /// padded with spaces to 8 bytes), atomically: the previous file at `path` survives any crash mid-write.
    public static func write(path: String, tensors: [NamedTensor], metadata: [String: String] = [:]) throws {
        let ordered = tensors.sorted { ($1.rank, $0.name) < ($0.rank, $1.name) }
        let header = try headerBytes(ordered, metadata: metadata, path: path)
        try AtomicFile.write(path: path) { (w: inout AtomicFile.ChunkWriter) throws in
            var n = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &n) { (raw) throws in try w.append(raw) }
            try w.append(header)
            for t in ordered { try appendData(t, to: &w) }
        }
    }

    private static func headerBytes(_ ordered: [NamedTensor], metadata: [String: String], path: String) throws -> [UInt8] {
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { JSONValue.quote($0) + ":" + JSONValue.quote(metadata[$0]!) }
            parts.append("\"__metadata__\":{" + m.joined(separator: ",") + "}")
        }
        var seen = Set<String>()
        var offset = 0
        for t in ordered {
            guard t.name != "__metadata__", seen.insert(t.name).inserted else {
                throw SafetensorsError.invalidArgument(path: path, detail: "tensor name \(JSONValue.quote(t.name)) is reserved or repeated")
            }
            guard t.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafetensorsError.invalidArgument(path: path, detail: "tensor \(JSONValue.quote(t.name)) has a negative dimension in \(t.shape)")
            }
            if case .i64(let v) = t.storage, v.count != t.count {
                throw SafetensorsError.invalidArgument(path: path, detail: "tensor \(JSONValue.quote(t.name)) has \(v.count) values for shape \(t.shape)")
            }
            let bytes = t.count * (t.dtype == "I64" ? 8 : 4)
            let shape = "[" + t.shape.map(String.init).joined(separator: ",") + "]"
            parts.append(JSONValue.quote(t.name) + ":{\"dtype\":\"\(t.dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return header
    }

    private static func appendData(_ t: NamedTensor, to w: inout AtomicFile.ChunkWriter) throws {
        switch t.storage {
        case .f32(let p):
            guard t.count > 0 else { return }
            try w.append(UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: 4 * t.count))
        case .i64(let values):
            try values.map { $0.littleEndian }.withUnsafeBytes { (raw) throws in try w.append(raw) }
        }
    }
}
