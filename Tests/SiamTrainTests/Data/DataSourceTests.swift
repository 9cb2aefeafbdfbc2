import Foundation
import Testing
@testable import SiamTrain

@Suite("Data sources")
struct DataSourceTests {
    let fm16 = DataFixtures.root + "/fmnist16"

    @Test func idxFixtureReadsLabelsAndPixels() throws {
        let src = try FashionMNIST(root: fm16, split: .test)
        #expect(src.count == 16 && src.width == 28 && src.height == 28 && src.channels == 1)
        // expected.txt was written by the Python generator straight from Debian's files.
        let lines = try String(contentsOfFile: fm16 + "/expected.txt", encoding: .utf8).split(separator: "\n")
        let labels = lines[0].split(separator: " ").map { Int($0)! }
        let sums = lines[1].split(separator: " ").map { Int($0)! }
        for i in 0..<16 {
            #expect(src.label(i) == labels[i], "label \(i)")
            #expect(src.image(i).pixels.reduce(0) { $0 + Int($1) } == sums[i], "pixel sum \(i)")
        }
    }

    @Test func installedDatasetMatchesFixtureWhenPresent() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot + "/t10k-images-idx3-ubyte.gz") else { return }
        let full = try FashionMNIST(split: .test), small = try FashionMNIST(root: fm16, split: .test)
        #expect(full.count == 10_000)
        for i in 0..<16 { #expect(full.image(i) == small.image(i) && full.label(i) == small.label(i)) }
        let train = try FashionMNIST(split: .train)
        #expect(train.count == 60_000)
        var perClass = [Int](repeating: 0, count: 10)
        for i in 0..<train.count { perClass[train.label(i)!] += 1 }
        #expect(perClass == [Int](repeating: 6000, count: 10))
    }

    @Test func missingFileNamesFileAndPackage() {
        let dir = DataFixtures.tempDir("missing")
        #expect(throws: DataError.missingFile(path: dir + "/train-images-idx3-ubyte.gz",
                                              fix: "install it with `apt-get install dataset-fashion-mnist`")) {
            try FashionMNIST(root: dir, split: .train)
        }
        let msg = DataError.missingFile(path: dir + "/x.gz", fix: "install it with `apt-get install dataset-fashion-mnist`").description
        #expect(msg == "data: \(dir)/x.gz not found; install it with `apt-get install dataset-fashion-mnist`")
    }

    @Test func truncatedGzipIsReportedAsTruncated() throws {
        let dir = DataFixtures.tempDir("trunc")
        let images = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fm16 + "/t10k-images-idx3-ubyte.gz")))
        DataFixtures.write(Array(images[0..<(images.count / 2)]), to: dir + "/t10k-images-idx3-ubyte.gz")
        try FileManager.default.copyItem(atPath: fm16 + "/t10k-labels-idx1-ubyte.gz", toPath: dir + "/t10k-labels-idx1-ubyte.gz")
        do {
            _ = try FashionMNIST(root: dir, split: .test)
            Issue.record("a truncated .gz was accepted")
        } catch let e as DataError {
            guard case .gzip(let path, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(path == dir + "/t10k-images-idx3-ubyte.gz")
            #expect(e.description.contains("re-download, the file is truncated"))
            #expect(!e.description.contains("\n"))
        }
    }

    @Test func shortPayloadAndWrongMagic() throws {
        let dir = DataFixtures.tempDir("magic")
        // Valid gzip, but the payload is 10 bytes short of the header's 2×28×28.
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]
        try gzip(header + [UInt8](repeating: 1, count: 2 * 784 - 10), to: dir + "/t10k-images-idx3-ubyte.gz")
        try gzip([0, 0, 8, 1, 0, 0, 0, 2, 3, 4], to: dir + "/t10k-labels-idx1-ubyte.gz")
        #expect(throws: DataError.truncated(path: dir + "/t10k-images-idx3-ubyte.gz", expected: 16 + 2 * 784, got: 16 + 2 * 784 - 10)) {
            try FashionMNIST(root: dir, split: .test)
        }
        // Labels file where the images file should be: magic 0x801, expected 0x803.
        try gzip([0, 0, 8, 1, 0, 0, 0, 2, 3, 4], to: dir + "/t10k-images-idx3-ubyte.gz")
        let err = DataError.badMagic(path: dir + "/t10k-images-idx3-ubyte.gz", found: 0x801, expected: 0x803)
        #expect(throws: err) { try FashionMNIST(root: dir, split: .test) }
        #expect(err.description == "data: \(dir)/t10k-images-idx3-ubyte.gz has magic 0x801 but 0x803 was expected; it is not this IDX file, re-download it")
        // Plain garbage (not gzip at all).
        DataFixtures.write([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], to: dir + "/t10k-images-idx3-ubyte.gz")
        #expect(throws: DataError.self) { try FashionMNIST(root: dir, split: .test) }
    }

    /// Writes `payload` as a valid .gz (one stored deflate block; Foundation has no gzip writer).
    func gzip(_ payload: [UInt8], to path: String) throws {
        DataFixtures.write(StoredGzip.encode(payload), to: path)
    }

    @Test func cifarBinaryRoundTripAndTruncation() throws {
        let dir = DataFixtures.tempDir("cifar")
        var bytes = [UInt8]()
        for r in 0..<3 {
            bytes.append(UInt8(r + 4))
            for c in 0..<3 { for p in 0..<1024 { bytes.append(UInt8((p + 50 * c + r) & 0xff)) } }
        }
        DataFixtures.write(bytes, to: dir + "/test_batch.bin")
        let src = try CIFAR10(root: dir, split: .test)
        #expect(src.count == 3 && src.label(2) == 6)
        let img = src.image(1)
        // CHW planes → HWC: pixel p = (y, x) channel c holds (p + 50c + 1).
        #expect(img[0, 5, 0] == 6 && img[0, 5, 1] == 56 && img[0, 5, 2] == 106 && img[1, 0, 2] == UInt8((32 + 100 + 1) & 0xff))
        DataFixtures.write(Array(bytes.dropLast(7)), to: dir + "/test_batch.bin")
        #expect(throws: DataError.truncated(path: dir + "/test_batch.bin", expected: 3 * 3073, got: 3 * 3073 - 7)) {
            try CIFAR10(root: dir, split: .test)
        }
        #expect(throws: DataError.self) { try CIFAR10(root: dir, split: .train) }
    }

    @Test func imageFolderLabelsFromSortedSubfolders() throws {
        let src = try ImageFolder(path: DataFixtures.root + "/folder", channels: 3)
        #expect(src.count == 4 && src.classNames == ["circles", "squares"])
        #expect((0..<4).map { src.label($0)! } == [0, 0, 1, 1])
        let first = src.image(0)
        #expect(first.width == 20 && first.height == 16 && first.channels == 3)
        #expect(first[8, 10, 0] == 220 && first[0, 0, 2] == 90)   // drawn fill / background
        let grey = src.image(1)
        #expect(grey.width == 12 && grey.height == 18 && grey[0, 0, 0] == 30 && grey[0, 0, 1] == 30)
    }

    @Test func imageFolderErrorsNameTheFile() throws {
        let dir = DataFixtures.tempDir("folder")
        #expect(throws: DataError.emptyFolder(path: dir)) { try ImageFolder(path: dir) }
        DataFixtures.write([0x89, 0x50, 0x4E, 0x47, 1, 2, 3], to: dir + "/broken.png")
        do {
            _ = try ImageFolder(path: dir)
            Issue.record("an undecodable PNG was accepted")
        } catch let e as DataError {
            guard case .undecodable(let path, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(path == dir + "/broken.png")
        }
        #expect(throws: DataError.missingFile(path: dir + "/nope", fix: "set data.path to a folder of PNG/JPEG images")) {
            try ImageFolder(path: dir + "/nope")
        }
    }

    @Test func syntheticIsSeededAndLabelled() {
        let a = SyntheticShapes(seed: 3, count: 40, size: 32, channels: 3)
        let b = SyntheticShapes(seed: 3, count: 40, size: 32, channels: 3)
        let c = SyntheticShapes(seed: 4, count: 40, size: 32, channels: 3)
        #expect(a.image(17) == b.image(17))
        #expect(a.image(17) != c.image(17))
        #expect(Set((0..<40).map { a.label($0)! }) == Set(0..<8))
        let g = SyntheticShapes(seed: 3, count: 40, size: 28, channels: 1).image(5)
        #expect(g.channels == 1 && g.width == 28 && Set(g.pixels).count > 10)
    }

    @Test func factoryNamesAndErrors() throws {
        var cfg = DataFixtures.fmnistTiny(source: "synthetic").data
        let syn = try DataSources.make(cfg, split: .train)
        #expect(syn.count == 2048 && syn.channels == 1 && syn.width == 28)
        cfg.source = "fashion-mnist"; cfg.path = fm16
        #expect(try DataSources.make(cfg, split: .test).count == 16)
        cfg.source = "imagenet"
        #expect(throws: DataError.unknownSource(name: "imagenet")) { try DataSources.make(cfg, split: .train) }
        cfg.source = "folder"; cfg.path = DataFixtures.root + "/folder"; cfg.channels = 3
        #expect(try DataSources.make(cfg, split: .train).count == 4)
    }
}

/// A gzip member with one stored (uncompressed) deflate block, so tests can write arbitrary .gz payloads.
enum StoredGzip {
    static func encode(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count < 65_536)
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        let n = UInt16(payload.count)
        out += [1, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8(~n >> 8)]
        out += payload
        let crc = crc32(payload), size = UInt32(payload.count)
        for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(s)) & 0xff)) }
        for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(s)) & 0xff)) }
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
