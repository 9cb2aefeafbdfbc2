import Foundation

/// Reader of the safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the
/// byte buffer the offsets point into. The whole file is validated when it is read, so a damaged file fails
/// once, with one line, before any tensor is used. Tensors may come in any order.
public struct SafetensorsFile: Sendable {
    /// One tensor's header entry; `begin`/`end` are byte offsets into the data buffer.
    public struct Info: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        public let begin: Int
        public let end: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// The largest header the reference implementation accepts (100 MB).
    public static let maxHeaderBytes = 100_000_000

    public let path: String
    public let metadata: [String: String]
    public let infos: [String: Info]
    private let bytes: [UInt8]
    private let dataStart: Int

    /// Tensor names, sorted.
    public var names: [String] { infos.keys.sorted() }

    /// Reads and validates the file at `path`.
    public static func read(path: String) throws -> SafetensorsFile {
        let bytes = try readWholeFile(path)
        return try SafetensorsFile(path: path, bytes: bytes)
    }

    /// Parses an in-memory image of a file; `path` is only used in error messages.
    public init(path: String, bytes: [UInt8]) throws {
        self.path = path
        self.bytes = bytes
        guard bytes.count >= 8 else {
            throw SafetensorsError.truncated(path: path, detail: "\(bytes.count) bytes, but a safetensors file starts with an 8-byte header length")
        }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(Self.maxHeaderBytes) else {
            throw SafetensorsError.badHeader(path: path, detail: "header length \(n) is over the \(Self.maxHeaderBytes)-byte limit")
        }
        guard n <= UInt64(bytes.count - 8) else {
            throw SafetensorsError.truncated(path: path, detail: "header length \(n) is beyond the end of the file (\(bytes.count) bytes)")
        }
        dataStart = 8 + Int(n)
        let header: JSONValue
        do throws(JSONParseError) { header = try JSONValue.parse(bytes[8..<dataStart]) } catch {
            throw SafetensorsError.badHeader(path: path, detail: error.description)
        }
        (metadata, infos) = try Self.entries(header, path: path)
        try Self.checkOffsets(infos, dataStart: dataStart, fileBytes: bytes.count, path: path)
    }

    /// The header's tensor entries and metadata, with each field's type checked.
    private static func entries(_ header: JSONValue, path: String) throws -> ([String: String], [String: Info]) {
        guard case .object(let top) = header else { throw SafetensorsError.badHeader(path: path, detail: "the header is \(header.typeName), not an object") }
        var metadata: [String: String] = [:]
        var infos: [String: Info] = [:]
        for (name, value) in top {
            if name == "__metadata__" {
                guard case .object(let m) = value else { throw SafetensorsError.badHeader(path: path, detail: "__metadata__ is \(value.typeName), not an object") }
                for (k, v) in m {
                    guard case .string(let s) = v else { throw SafetensorsError.badHeader(path: path, detail: "__metadata__ value \(JSONValue.quote(k)) is \(v.typeName), not a string") }
                    metadata[k] = s
                }
                continue
            }
            infos[name] = try info(name, value, path: path)
        }
        return (metadata, infos)
    }

    private static func info(_ name: String, _ value: JSONValue, path: String) throws -> Info {
        let q = JSONValue.quote(name)
        guard case .object(let o) = value else { throw SafetensorsError.badHeader(path: path, detail: "tensor \(q) is \(value.typeName), not an object") }
        guard case .string(let dtype)? = o["dtype"] else { throw SafetensorsError.badHeader(path: path, detail: "tensor \(q) has no dtype string") }
        guard SafetensorsDType.byteSize(dtype) != nil else { throw SafetensorsError.badHeader(path: path, detail: "tensor \(q) has unknown dtype \(dtype)") }
        guard case .array(let dims)? = o["shape"] else { throw SafetensorsError.badHeader(path: path, detail: "tensor \(q) has no shape array") }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let i) = d, FileIntegers.contains(i) else { throw SafetensorsError.badHeader(path: path, detail: "tensor \(q) has a shape entry that is not \(FileIntegers.rangeText)") }
            shape.append(i)
        }
        guard case .array(let offs)? = o["data_offsets"], offs.count == 2, case .int(let begin) = offs[0], case .int(let end) = offs[1],
              begin >= 0, end >= begin, end <= FileIntegers.max else {
            throw SafetensorsError.liesAboutOffsets(path: path, detail: "tensor \(q) needs data_offsets [begin, end] with 0 <= begin <= end <= 2^53-1")
        }
        return Info(dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// Each entry's byte range must match shape × dtype and the ranges must tile the buffer without gaps or
    /// overlaps (the reference implementation's rule). Entries are checked by offset, then name, so the tensor an
    /// error names does not depend on dictionary order. A header that tiles but ends past the file is a file cut
    /// short (a copy or write that did not finish), and said so.
    private static func checkOffsets(_ infos: [String: Info], dataStart: Int, fileBytes: Int, path: String) throws {
        let ordered = infos.sorted { ($0.value.begin, $0.value.end, $0.key) < ($1.value.begin, $1.value.end, $1.key) }
        for (name, info) in ordered {
            var count = 1
            for d in info.shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw SafetensorsError.liesAboutOffsets(path: path, detail: "tensor \(JSONValue.quote(name)) has shape \(info.shape), too large") }
                count = p
            }
            let (need, overflow) = count.multipliedReportingOverflow(by: SafetensorsDType.byteSize(info.dtype)!)
            guard !overflow, info.end - info.begin == need else {
                throw SafetensorsError.liesAboutOffsets(path: path, detail: "tensor \(JSONValue.quote(name)) has data_offsets [\(info.begin), \(info.end)] but shape \(info.shape) of \(info.dtype) needs \(overflow ? "more" : String(need)) bytes")
            }
        }
        var next = 0
        for (name, info) in ordered {
            guard info.begin == next else {
                let what = info.begin < next ? "overlaps the tensor before it" : "leaves a gap before it"
                throw SafetensorsError.liesAboutOffsets(path: path, detail: "tensor \(JSONValue.quote(name)) at [\(info.begin), \(info.end)] \(what)")
            }
            next = info.end
        }
        let bufferBytes = fileBytes - dataStart
        guard next <= bufferBytes else {
            let need = next > Int.max - dataStart ? "more" : String(dataStart + next)
            throw SafetensorsError.truncated(path: path, detail: "it has \(fileBytes) bytes but its tensors need \(need); copy or save it again")
        }
        guard next == bufferBytes else {
            throw SafetensorsError.liesAboutOffsets(path: path, detail: "the tensors cover \(next) bytes of a \(bufferBytes)-byte buffer")
        }
    }

    /// The entry for `name`, or a one-line error listing a few names that do exist.
    public func info(_ name: String) throws -> Info {
        guard let i = infos[name] else {
            throw SafetensorsError.missingTensor(path: path, name: name, count: infos.count, examples: Array(names.prefix(3)))
        }
        return i
    }

    /// The tensor converted to Float (F32 exactly; F64/F16/BF16/I64 converted).
    public func tensor(_ name: String) throws -> (shape: [Int], values: [Float]) {
        let i = try info(name)
        var out = [Float](repeating: 0, count: max(i.count, 1))
        try out.withUnsafeMutableBufferPointer { (dst) throws in
            try convert(name, i, into: dst.baseAddress!)
        }
        return (i.shape, i.count == 0 ? [] : out)
    }

    /// Copies tensor `name` into `view`, whose shape must equal the stored one.
    public func copy(_ name: String, into view: TensorView) throws {
        let i = try info(name)
        guard i.shape == view.shape else { throw SafetensorsError.wrongShape(path: path, name: name, expected: view.shape, actual: i.shape) }
        try convert(name, i, into: view.pointer)
    }

    /// An integer tensor (I64, or a float tensor with integral values), e.g. `num_batches_tracked`.
    public func int64s(_ name: String) throws -> [Int64] {
        let i = try info(name)
        guard i.dtype == "I64" else {
            let values = try tensor(name).values
            let ints = values.compactMap { Int64(exactly: $0) }
            guard ints.count == values.count else { throw SafetensorsError.notIntegral(path: path, name: name) }
            return ints
        }
        return (0..<i.count).map { k in Int64(bitPattern: load64(dataStart + i.begin + 8 * k)) }
    }

    private func load64(_ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for b in 0..<8 { v |= UInt64(bytes[at + b]) << (8 * UInt64(b)) }
        return v
    }

    private func convert(_ name: String, _ i: Info, into dst: UnsafeMutablePointer<Float>) throws {
        guard SafetensorsDType.readable.contains(i.dtype) else { throw SafetensorsError.unsupportedDType(path: path, name: name, dtype: i.dtype) }
        let base = dataStart + i.begin
        let n = i.count
        guard n > 0 else { return }
        bytes.withUnsafeBytes { raw in
            let src = raw.baseAddress! + base
            switch i.dtype {
            case "F32":
                for k in 0..<n { dst[k] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
            case "F64":
                for k in 0..<n { dst[k] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))) }
            case "F16":
                for k in 0..<n { dst[k] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))) }
            case "BF16":
                for k in 0..<n { dst[k] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))) << 16) }
            case "I64":
                for k in 0..<n { dst[k] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self))) }
            default: break
            }
        }
    }
}

/// IEEE binary16 → binary32 by bit manipulation (portable; no dependence on the platform's Float16).
@inline(__always) func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exp = Int32((h >> 10) & 0x1F)
    let man = UInt32(h & 0x3FF)
    if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (man << 13)) }    // inf / NaN
    if exp == 0 {                                                                      // zero / subnormal
        let v = Float(man) * 0x1p-24
        return sign != 0 ? -v : v
    }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (man << 13))
}

/// The dtype names of the format and their element sizes.
public enum SafetensorsDType {
    public static let readable: Set<String> = ["F32", "F64", "F16", "BF16", "I64"]
    static let sizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
        "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8,
    ]
    public static func byteSize(_ dtype: String) -> Int? { sizes[dtype] }
}

/// Reads a whole file with POSIX calls so that failures give errno's one-line text.
func readWholeFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SafetensorsError.io(path: path, detail: "cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw SafetensorsError.io(path: path, detail: "cannot stat: \(String(cString: strerror(errno)))") }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw SafetensorsError.io(path: path, detail: "not a regular file") }
    let size = Int(st.st_size)
    var bytes = [UInt8](repeating: 0, count: size)
    var got = 0
    while got < size {
        let r = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, size - got) }
        if r < 0 && errno == EINTR { continue }
        guard r > 0 else {
            if r == 0 { break }
            throw SafetensorsError.io(path: path, detail: "read failed: \(String(cString: strerror(errno)))")
        }
        got += r
    }
    return got == size ? bytes : Array(bytes[0..<got])
}
