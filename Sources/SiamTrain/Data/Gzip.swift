import CZlib
import Foundation

/// Reads a whole file, inflating it in-process with zlib when it is gzip (or zlib) compressed.
enum GzipReader {
    /// The file's bytes, decompressed. `fix` is the advice given when the file is missing.
    static func read(path: String, fix: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError.missingFile(path: path, fix: fix) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.missingFile(path: path, fix: "it exists but cannot be read; check its permissions")
        }
        let raw = [UInt8](data)
        guard path.hasSuffix(".gz") else { return raw }
        return try inflate(raw, path: path)
    }

    static func inflate(_ input: [UInt8], path: String) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw DataError.gzip(path: path, detail: "inflateInit failed") }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(max(input.count * 4, 1 << 16))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status = Z_OK
        try input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = uInt(inBuf.count)
            while status != Z_STREAM_END {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END { break }
                if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && produced == 0) {
                    throw DataError.gzip(path: path, detail: "unexpected end of compressed data after \(output.count) bytes")
                }
                if status != Z_OK {
                    let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DataError.gzip(path: path, detail: msg)
                }
            }
        }
        return output
    }
}
