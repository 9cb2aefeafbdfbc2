/// Everything that can go wrong while opening image data. Each message is one line: what, where, what to do.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String, fix: String)
    case truncated(path: String, expected: Int, got: Int)
    case badMagic(path: String, found: UInt32, expected: UInt32)
    case badHeader(path: String, detail: String)
    case gzip(path: String, detail: String)
    case mismatch(detail: String)
    case emptyFolder(path: String)
    case undecodable(path: String, reason: String)
    case unknownSource(name: String)
    case indexOutOfRange(index: Int, count: Int, source: String)
    case badConfig(key: String, detail: String)
    case interrupted(path: String, done: Int, of: Int)

    public var description: String {
        switch self {
        case let .missingFile(path, fix):
            return "data: \(path) not found; \(fix)"
        case let .truncated(path, expected, got):
            return "data: \(path) is truncated (\(got) of \(expected) bytes); re-download, the file is truncated"
        case let .badMagic(path, found, expected):
            return "data: \(path) has magic 0x\(String(found, radix: 16)) but 0x\(String(expected, radix: 16)) was expected; it is not this IDX file, re-download it"
        case let .badHeader(path, detail):
            return "data: \(path) has a bad header (\(detail)); re-download it"
        case let .gzip(path, detail):
            return "data: \(path) could not be inflated (\(detail)); re-download, the file is truncated or corrupt"
        case let .mismatch(detail):
            return "data: \(detail); the image and label files do not belong together, reinstall the dataset"
        case let .emptyFolder(path):
            return "data: \(path) holds no PNG/JPEG images; point data.path at a folder of .png/.jpg files"
        case let .undecodable(path, reason):
            return "data: \(path) could not be decoded (\(reason)); remove or re-save it as PNG/JPEG"
        case let .unknownSource(name):
            return "data: unknown source \"\(name)\"; use fashion-mnist, cifar10, folder or synthetic"
        case let .indexOutOfRange(index, count, source):
            return "data: index \(index) out of range 0..<\(count) in \(source)"
        case let .badConfig(key, detail):
            return "data: \(key) \(detail); fix it in the preset or with --set \(key)=..."
        case let .interrupted(path, done, total):
            return "data: loading \(path) interrupted after \(done) of \(total) images; nothing was written"
        }
    }
}
