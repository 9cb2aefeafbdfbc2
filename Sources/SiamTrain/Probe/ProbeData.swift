import CZlib
import Foundation
import Tensor

/// TEMPORARY: a minimal Fashion-MNIST reader for the probe's baselines and tests, until the data module's
/// FashionMNIST source lands; then the lead switches `fashionMNISTPixels` over to it and deletes the IDX code here.
/// Raw-pixel features are pixel / 255 in [0, 1]: with that scaling kNN reproduces design.md §6's 84.59
/// (mean/std-normalised pixels give 85.69, since subtracting a mean changes cosine similarity).
public enum ProbeData {
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    public static let fashionMNISTClasses = 10

    /// The 784 pixels of each image, / 255, as features. `limit` keeps only the first n samples.
    public static func fashionMNISTPixels(train: Bool, limit: Int? = nil,
                                          directory: String = fashionMNISTDirectory) throws(ProbeError) -> FeatureSet {
        let stem = train ? "train" : "t10k"
        let imagesPath = "\(directory)/\(stem)-images-idx3-ubyte.gz"
        let labelsPath = "\(directory)/\(stem)-labels-idx1-ubyte.gz"
        let images = try IDX.read(path: imagesPath, magic: 0x0803)
        let labels = try IDX.read(path: labelsPath, magic: 0x0801)
        guard images.dims.count == 3, labels.dims.count == 1, images.dims[0] == labels.dims[0] else {
            throw .corruptFile(path: imagesPath, reason: "shape \(images.dims) does not match labels \(labels.dims)")
        }
        let n = min(images.dims[0], limit ?? Int.max), d = images.dims[1] * images.dims[2]
        let buf = FloatBuffer(count: n * d)
        images.bytes.withUnsafeBufferPointer { src in
            let p = src.baseAddress! + images.headerBytes
            for i in 0..<(n * d) { buf.pointer[i] = Float(p[i]) * (1 / 255) }
        }
        let y = (0..<n).map { Int(labels.bytes[labels.headerBytes + $0]) }
        return try FeatureSet(features: buf, dim: d, labels: y)
    }
}

extension ProbeData {
    /// An IDX file (big-endian header: 0, 0, type, ndims, then ndims UInt32 sizes; unsigned bytes follow).
    struct IDX {
        let bytes: [UInt8]
        let dims: [Int]
        var headerBytes: Int { 4 + 4 * dims.count }

        static func read(path: String, magic: UInt32) throws(ProbeError) -> IDX {
            guard let data = FileManager.default.contents(atPath: path) else { throw .fileMissing(path: path) }
            let bytes = try gunzip([UInt8](data), path: path)
            func be32(_ o: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[o + $1]) } }
            guard bytes.count >= 4, be32(0) == magic else {
                throw .corruptFile(path: path, reason: "magic is not 0x\(String(magic, radix: 16))")
            }
            let nd = Int(magic & 0xff)
            guard bytes.count >= 4 + 4 * nd else { throw .corruptFile(path: path, reason: "header is truncated") }
            let dims = (0..<nd).map { Int(be32(4 + 4 * $0)) }
            let need = dims.reduce(1, *) + 4 + 4 * nd
            guard bytes.count >= need else {
                throw .corruptFile(path: path, reason: "\(bytes.count) bytes, header \(dims) needs \(need)")
            }
            return IDX(bytes: bytes, dims: dims)
        }

        /// Inflates a whole gzip stream with zlib (window bits 15 + 32: gzip or zlib header, detected).
        static func gunzip(_ input: [UInt8], path: String) throws(ProbeError) -> [UInt8] {
            var stream = z_stream()
            guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw .corruptFile(path: path, reason: "zlib init failed") }
            defer { inflateEnd(&stream) }
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            var status = Z_OK
            input.withUnsafeBufferPointer { inBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                while status == Z_OK {
                    let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(out.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return out.count - Int(stream.avail_out)
                    }
                    output.append(contentsOf: chunk[0..<produced])
                    if status == Z_BUF_ERROR && stream.avail_in == 0 { break }  // input ended before the stream did
                }
            }
            guard status == Z_STREAM_END else {
                throw .corruptFile(path: path, reason: "gzip stream ended early or is damaged (zlib status \(status))")
            }
            return output
        }
    }
}
