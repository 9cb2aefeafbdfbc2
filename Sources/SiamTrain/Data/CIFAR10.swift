import Foundation

/// CIFAR-10 binary batches: each record is 1 label byte + 3072 bytes (R plane, G plane, B plane, 32×32 each).
/// Converted to HWC once at load.
public struct CIFAR10: ImageSource {
    public static let recordSize = 1 + 3072
    public let count: Int
    public var channels: Int { 3 }
    public var height: Int { 32 }
    public var width: Int { 32 }
    public let name: String
    private let pixels: [UInt8]   // [count][32][32][3]
    private let labels: [UInt8]

    public init(root: String, split: DataSplit = .train) throws {
        let files = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        var pixels = [UInt8](), labels = [UInt8]()
        for file in files {
            let path = root + "/" + file
            let bytes = try GzipReader.read(path: path,
                fix: "download the CIFAR-10 binary version (cifar-10-binary.tar.gz) and set data.path to its cifar-10-batches-bin folder")
            guard bytes.count % CIFAR10.recordSize == 0, !bytes.isEmpty else {
                let expected = max(1, (bytes.count + CIFAR10.recordSize - 1) / CIFAR10.recordSize) * CIFAR10.recordSize
                throw DataError.truncated(path: path, expected: expected, got: bytes.count)
            }
            let records = bytes.count / CIFAR10.recordSize
            pixels.reserveCapacity(pixels.count + records * 3072)
            for r in 0..<records {
                let base = r * CIFAR10.recordSize
                guard bytes[base] < 10 else {
                    throw DataError.badHeader(path: path, detail: "record \(r) has label \(bytes[base]), expected 0...9")
                }
                labels.append(bytes[base])
                for p in 0..<1024 {
                    pixels.append(bytes[base + 1 + p]); pixels.append(bytes[base + 1 + 1024 + p]); pixels.append(bytes[base + 1 + 2048 + p])
                }
            }
        }
        self.pixels = pixels; self.labels = labels; count = labels.count
        name = "cifar10/\(split.rawValue)"
    }

    public func image(_ index: Int) -> Image8 {
        precondition(index >= 0 && index < count, DataError.indexOutOfRange(index: index, count: count, source: name).description)
        return Image8(width: 32, height: 32, channels: 3, pixels: Array(pixels[index * 3072 ..< (index + 1) * 3072]))
    }

    public func label(_ index: Int) -> Int? { Int(labels[index]) }
}
