import Foundation
import Tensor
import Testing

@Suite("FileIntegers")
struct FileIntegersTests {
    @Test("0...2^53-1 from text and from Double; everything else refused")
    func bounds() {
        #expect(FileIntegers.max == 9_007_199_254_740_991)
        #expect(FileIntegers.parse("0") == 0 && FileIntegers.parse("9007199254740991") == FileIntegers.max)
        for bad in ["9007199254740992", "9223372036854775807", "-1", "-9223372036854775808", "1e3", "", " 1", "1.0"] {
            #expect(FileIntegers.parse(bad) == nil, "\(bad)")
        }
        #expect(FileIntegers.exact(9_007_199_254_740_991) == FileIntegers.max && FileIntegers.exact(3) == 3)
        for bad in [9_007_199_254_740_992.0, 1e300, -1, 0.5, .nan, .infinity, -.infinity] {
            #expect(FileIntegers.exact(bad) == nil, "\(bad)")
        }
    }

    @Test("safetensors offsets and shape entries beyond 2^53-1 are refused")
    func safetensorsHeader() throws {
        func file(_ header: String) throws -> String {
            var h = Array(header.utf8)
            while h.count % 8 != 0 { h.append(0x20) }
            var bytes = (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h
            bytes += [UInt8](repeating: 0, count: 8)
            let path = NSTemporaryDirectory() + "siamon-fileint-\(getpid())-\(UUID().uuidString.prefix(6)).safetensors"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let offsets = try file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,9007199254740992]}}"#)
        let shape = try file(#"{"w":{"dtype":"F32","shape":[9007199254740992],"data_offsets":[0,8]}}"#)
        defer { unlink(offsets); unlink(shape) }
        #expect(throws: SafetensorsError.self) { try SafetensorsFile.read(path: offsets) }
        #expect(throws: SafetensorsError.self) { try SafetensorsFile.read(path: shape) }
    }
}
