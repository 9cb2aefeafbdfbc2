import Foundation
import Testing
@testable import Tensor
import TestSupport

/// A fresh empty directory under the system temp dir.
func makeTempDir(_ tag: String) throws -> String { TempDir.fresh(tag) }

let fixtureDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/safetensors").path

@Suite("Safetensors")
struct SafetensorsTests {
    @Test func readsEveryDTypeThePythonLibraryWrote() throws {
        let f = try SafetensorsFile.read(path: fixtureDir + "/python_mixed.safetensors")
        #expect(f.metadata == ["format": "pt", "note": "fixture"])
        #expect(f.names == ["b", "blocks.0.attn.qkv.weight", "d", "e", "h", "n", "q", "w"])
        let w = try f.tensor("w")
        #expect(w.shape == [2, 3])
        #expect(w.values == [-1, -0.5, 0, 0.5, 1, 1.5])
        #expect(try f.tensor("d").values == [1.5, -2.25, 0.125])
        #expect(try f.tensor("h").values == [1, -0.5, 65504, 0x1p-24])
        #expect(try f.tensor("b").values == [1, -3, 0.0078125])
        #expect(try f.tensor("n").shape == [])
        #expect(try f.tensor("n").values == [7])
        #expect(try f.int64s("n") == [7])
        #expect(try f.tensor("e").shape == [0, 3])
        #expect(try f.tensor("e").values.isEmpty)
        #expect(try f.tensor("blocks.0.attn.qkv.weight").values == (0..<12).map { Float($0) / 4 })
    }

    @Test func unsupportedDTypeIsOneClearLine() throws {
        let f = try SafetensorsFile.read(path: fixtureDir + "/python_mixed.safetensors")
        #expect(throws: SafetensorsError.unsupportedDType(path: f.path, name: "q", dtype: "I8")) { try f.tensor("q") }
        let message = "\(SafetensorsError.unsupportedDType(path: "p", name: "q", dtype: "I8"))"
        #expect(message == "safetensors p: tensor \"q\" has dtype I8; siamon reads F32/F16/BF16/F64/I64")
    }

    @Test func copyChecksTheShape() throws {
        let f = try SafetensorsFile.read(path: fixtureDir + "/python_mixed.safetensors")
        let buf = FloatBuffer(count: 6)
        #expect(throws: SafetensorsError.wrongShape(path: f.path, name: "w", expected: [3, 2], actual: [2, 3])) {
            try f.copy("w", into: TensorView(pointer: buf.pointer, shape: [3, 2]))
        }
        #expect(buf.array == [0, 0, 0, 0, 0, 0])   // nothing written on failure
        try f.copy("w", into: TensorView(pointer: buf.pointer, shape: [2, 3]))
        #expect(buf.array == [-1, -0.5, 0, 0.5, 1, 1.5])
        #expect(throws: SafetensorsError.self) { try f.tensor("missing") }
    }

    @Test func roundTripsAndMatchesTheReferenceLayout() throws {
        let dir = try makeTempDir("st")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = FloatBuffer([1, 2, 3, 4, 5, 6]), b = FloatBuffer([-7])
        let path = dir + "/x.safetensors"
        try SafetensorsFile.write(path: path, tensors: [
            NamedTensor("zeta", TensorView(pointer: a.pointer, shape: [2, 3])),
            NamedTensor("alpha", TensorView(pointer: b.pointer, shape: [1])),
            .int64("count", shape: [], [42]),
        ], metadata: ["step": "5"])
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        // The Python library's order: metadata, then I64 before F32, then by name; offsets contiguous.
        #expect(header.hasPrefix(#"{"__metadata__":{"step":"5"},"count":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"alpha":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"zeta":{"dtype":"F32","shape":[2,3],"data_offsets":[12,36]}}"#))
        #expect(bytes.count == 8 + n + 36)
        // Byte for byte what the Python library writes for the same tensors (make_fixtures.py).
        #expect(bytes == FileManager.default.contents(atPath: fixtureDir + "/reference_layout.safetensors"))
        let f = try SafetensorsFile.read(path: path)
        #expect(try f.tensor("zeta").values == [1, 2, 3, 4, 5, 6])
        #expect(try f.tensor("alpha").values == [-7])
        #expect(try f.int64s("count") == [42])
        #expect(f.metadata == ["step": "5"])
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.safetensors"])
    }

    @Test func rejectsDuplicateNamesWithoutTouchingTheOldFile() throws {
        let dir = try makeTempDir("st")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.safetensors"
        try AtomicFile.write(path: path, text: "old")
        let a = FloatBuffer([1])
        #expect(throws: SafetensorsError.self) {
            try SafetensorsFile.write(path: path, tensors: [NamedTensor("a", TensorView(pointer: a.pointer, shape: [1])),
                                                            NamedTensor("a", TensorView(pointer: a.pointer, shape: [1]))])
        }
        #expect(String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.safetensors"])
    }

    @Test func halfConversionCoversSpecialValues() {
        #expect(halfToFloat(0x3C00) == 1)
        #expect(halfToFloat(0xC000) == -2)
        #expect(halfToFloat(0x7C00) == .infinity)
        #expect(halfToFloat(0x0001) == 0x1p-24)
        #expect(halfToFloat(0x8000).sign == .minus)
        #expect(halfToFloat(0x7E00).isNaN)
    }

    @Test func everyTruncationOfAValidFileFailsCleanly() throws {
        let bytes = try #require(FileManager.default.contents(atPath: fixtureDir + "/python_mixed.safetensors"))
        for cut in 0..<bytes.count {
            #expect(throws: SafetensorsError.self) { try SafetensorsFile(path: "cut", bytes: Array(bytes.prefix(cut))) }
        }
    }

    /// A file cut anywhere in its data says it is truncated, with its size and the size its header needs.
    @Test func aFileCutInItsDataIsReportedAsTruncated() throws {
        let bytes = try #require(FileManager.default.contents(atPath: fixtureDir + "/python_mixed.safetensors"))
        let dataStart = 8 + bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        for cut in dataStart..<bytes.count {
            let expected = "safetensors cut.safetensors: truncated file: it has \(cut) bytes but its tensors need \(bytes.count); copy or save it again"
            let message = catching { try SafetensorsFile(path: "cut.safetensors", bytes: Array(bytes.prefix(cut))) }
            if message != expected { Issue.record("cut at \(cut): \(message)"); return }
        }
    }

    /// Two bad entries: the one named is the first by offset, whatever order the dictionary holds them in
    /// (30 name pairs, so hash order alone would pass about once in a billion runs).
    @Test func theTensorNamedInAnOffsetErrorIsTheFirstByOffset() throws {
        for i in 0..<30 {
            let header = "{\"z\(i)\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]},"
                + "\"a\(i)\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[8,16]}}"
            var bytes = (0..<8).map { UInt8(truncatingIfNeeded: header.utf8.count >> (8 * $0)) } + Array(header.utf8)
            bytes += [UInt8](repeating: 0, count: 16)
            let message = catching { try SafetensorsFile(path: "two", bytes: bytes) }
            #expect(message.contains("tensor \"z\(i)\" has data_offsets [0, 8]"), "\(message)")
        }
    }
}

@Suite("Safetensors: arenas and faults")
struct SafetensorsArenaTests {
    @Test func arenaRoundTripWithPrefixAndAllOrNothingLoad() throws {
        var layout = ParameterLayout()
        layout.add("cls_token", [1, 1, 4])
        layout.add("blocks.0.mlp.fc1.weight", [3, 4])
        let a = Arena(layout: layout)
        for i in 0..<a.count { a.pointer[i] = Float(i) * 0.5 }
        let dir = try makeTempDir("arena")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SafetensorsFile.write(path: dir + "/m.safetensors", tensors: a.namedTensors(prefix: "m."))
        let f = try SafetensorsFile.read(path: dir + "/m.safetensors")
        #expect(f.names == ["m.blocks.0.mlp.fc1.weight", "m.cls_token"])
        let b = Arena(layout: layout)
        try f.copyAll(into: b, prefix: "m.")
        #expect(b.storage.array == a.storage.array)
        // A layout the file does not match: nothing is copied.
        var other = ParameterLayout()
        other.add("blocks.0.mlp.fc1.weight", [3, 4])
        other.add("cls_token", [1, 4])
        let c = Arena(layout: other)
        #expect(throws: SafetensorsError.wrongShape(path: f.path, name: "m.cls_token", expected: [1, 4], actual: [1, 1, 4])) {
            try f.copyAll(into: c, prefix: "m.")
        }
        #expect(c.storage.array.allSatisfy { $0 == 0 })
    }

    /// /dev/full fails every write with ENOSPC: the writer reports a full disk (so a trainer can pause).
    @Test func aFullDiskIsReportedAsSuch() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var w = AtomicFile.ChunkWriter(fd: fd, path: "/x/y.safetensors")
        #expect(throws: SafetensorsError.diskFull(path: "/x/y.safetensors")) { try w.append([1, 2, 3]) }
        #expect("\(SafetensorsError.diskFull(path: "p"))" == "safetensors p: disk full while writing; free some space and retry (the previous file is untouched)")
    }
}

/// The one-line message `body` throws, or "no error".
func catching(_ body: () throws -> Any) -> String {
    do { _ = try body(); return "no error" } catch { return "\(error)" }
}
