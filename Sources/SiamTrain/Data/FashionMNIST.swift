/// Fashion-MNIST from the IDX `.gz` files of Debian's `dataset-fashion-mnist` (28×28 grey, 10 classes).
/// The whole split is inflated into memory once (47 MB for train).
public struct FashionMNIST: ImageSource {
    public static let defaultRoot = "/usr/share/datasets/fashion-mnist"
    public static let classNames = ["T-shirt", "trouser", "pullover", "dress", "coat",
                                    "sandal", "shirt", "sneaker", "bag", "boot"]
    public let count: Int
    public let height: Int
    public let width: Int
    public var channels: Int { 1 }
    public let name: String
    private let pixels: [UInt8]
    private let labels: [UInt8]

    public init(root: String = FashionMNIST.defaultRoot, split: DataSplit = .train) throws {
        let prefix = split == .train ? "train" : "t10k"
        let imagesPath = root + "/\(prefix)-images-idx3-ubyte.gz"
        let labelsPath = root + "/\(prefix)-labels-idx1-ubyte.gz"
        let images = try IDXFile(path: imagesPath, fix: "install it with `apt-get install dataset-fashion-mnist`")
        let labels = try IDXFile(path: labelsPath, fix: "install it with `apt-get install dataset-fashion-mnist`")
        try images.expect(magic: 0x803, rank: 3)
        try labels.expect(magic: 0x801, rank: 1)
        guard images.dims[0] == labels.dims[0] else {
            throw DataError.mismatch(detail: "\(imagesPath) has \(images.dims[0]) images but \(labelsPath) has \(labels.dims[0]) labels")
        }
        self.init(pixels: images.payload, labels: labels.payload, count: images.dims[0],
                  height: images.dims[1], width: images.dims[2], name: "fashion-mnist/\(split.rawValue)")
    }

    /// From raw arrays (tests and subsets).
    init(pixels: [UInt8], labels: [UInt8], count: Int, height: Int, width: Int, name: String) {
        self.pixels = pixels; self.labels = labels; self.count = count
        self.height = height; self.width = width; self.name = name
    }

    public func image(_ index: Int) -> Image8 {
        precondition(index >= 0 && index < count, DataError.indexOutOfRange(index: index, count: count, source: name).description)
        let n = height * width
        return Image8(width: width, height: height, channels: 1, pixels: Array(pixels[index * n ..< (index + 1) * n]))
    }

    public func label(_ index: Int) -> Int? { Int(labels[index]) }
}

/// One IDX file (big-endian magic 0x00000Dtt with dtype in byte 2 and rank in byte 3, then rank UInt32 dims,
/// then the payload). Only unsigned-byte payloads (dtype 0x08) are supported.
struct IDXFile {
    let path: String
    let magic: UInt32
    let dims: [Int]
    let payload: [UInt8]

    init(path: String, fix: String) throws {
        let bytes = try GzipReader.read(path: path, fix: fix)
        guard bytes.count >= 4 else { throw DataError.truncated(path: path, expected: 4, got: bytes.count) }
        let magic = IDXFile.be32(bytes, 0)
        let rank = Int(magic & 0xff)
        guard magic >> 16 == 0, (magic >> 8) & 0xff == 0x08, (1...4).contains(rank) else {
            throw DataError.badMagic(path: path, found: magic, expected: rank == 1 ? 0x801 : 0x803)
        }
        let header = 4 + 4 * rank
        guard bytes.count >= header else { throw DataError.truncated(path: path, expected: header, got: bytes.count) }
        let dims = (0..<rank).map { Int(IDXFile.be32(bytes, 4 + 4 * $0)) }
        let payloadCount = dims.reduce(1, *)
        guard bytes.count >= header + payloadCount else {
            throw DataError.truncated(path: path, expected: header + payloadCount, got: bytes.count)
        }
        guard bytes.count == header + payloadCount else {
            throw DataError.badHeader(path: path, detail: "\(bytes.count - header - payloadCount) bytes after the payload")
        }
        self.path = path; self.magic = magic; self.dims = dims
        payload = Array(bytes[header...])
    }

    func expect(magic expected: UInt32, rank: Int) throws {
        guard magic == expected else { throw DataError.badMagic(path: path, found: magic, expected: expected) }
        guard dims.count == rank, dims.allSatisfy({ $0 > 0 }) else {
            throw DataError.badHeader(path: path, detail: "dims \(dims)")
        }
    }

    static func be32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
