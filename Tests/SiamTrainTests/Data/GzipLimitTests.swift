import Foundation
import Testing
@testable import SiamTrain

@Suite("Gzip inflation limit")
struct GzipLimitTests {
    /// 256 KiB of zeros compressed to a few hundred bytes: under a 64 KiB limit it is refused with one line
    /// (a gzip bomb in data.path must not exhaust memory); under the default limit it inflates exactly.
    @Test func anOutputPastTheLimitIsRefused() throws {
        let path = badCorpus.appendingPathComponent("cli/data/zeros-256k.gz").path
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count < 2048)
        let m = message { _ = try GzipReader.inflate(bytes, path: path, limit: 64 << 10) }
        #expect(m == "data: \(path) could not be inflated (it inflates past 65536 bytes, more than any dataset file); re-download, the file is truncated or corrupt")
        let full = try GzipReader.inflate(bytes, path: path)
        #expect(full.count == 256 << 10 && full.allSatisfy { $0 == 0 })
    }
}
