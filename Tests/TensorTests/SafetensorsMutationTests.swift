import Foundation
import Testing
@testable import Tensor

/// Seeded mutations of a valid file (a cheap, deterministic stand-in for fuzzing): every outcome is either a
/// file whose tensors all read or fail cleanly, or one `SafetensorsError` line. A trap fails the whole run.
@Suite("Safetensors: mutated input")
struct SafetensorsMutationTests {
    @Test func mutatedFilesNeverCrash() throws {
        let original = Array(try #require(FileManager.default.contents(atPath: fixtureDir + "/python_mixed.safetensors")))
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        let alphabet = Array("{}[]\":,0123456789-.eE FIBU_".utf8)
        var rng = SeededRNG(seed: 1234)
        var parsed = 0, rejected = 0
        for _ in 0..<1500 {
            var b = original
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let header = UInt64(min(headerEnd, b.count) - 8)
                switch rng.next() % 4 {
                case 0: b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b[8 + Int(rng.next() % header)] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 2: b.removeLast(Int(rng.next() % UInt64(b.count / 4 + 1)))
                default: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: 8 + Int(rng.next() % header))
                }
                if b.count < 16 { break }
            }
            do {
                let f = try SafetensorsFile(path: "m", bytes: b)
                parsed += 1
                for name in f.names {
                    do { _ = try f.tensor(name) } catch { #expect(!"\(error)".contains("\n")) }
                }
            } catch {
                rejected += 1
                #expect(error is SafetensorsError)
                #expect(!"\(error)".contains("\n"))
            }
        }
        #expect(parsed > 0 && rejected > 500)
    }

    @Test func jsonParserHandlesHostileText() throws {
        var rng = SeededRNG(seed: 99)
        let alphabet = Array("{}[]\":,\\u0123456789-+.eEtrufalsn \n\t".utf8) + [0xC3, 0xFF, 0x00]
        for _ in 0..<5000 {
            let n = Int(rng.next() % 40)
            let text = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            do { _ = try JSONValue.parse(text) } catch { #expect(error.offset >= 0 && error.offset <= n) }
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(String(repeating: "[", count: 100_000)) }
        #expect(try JSONValue.parse(#"{"a":[1,-2.5e3,"\u00e9\ud83d\ude00",true,null]}"#)
            == .object(["a": .array([.int(1), .double(-2500), .string("é😀"), .bool(true), .null])]))
        #expect(try JSONValue.parse("18446744073709551616") == .double(18446744073709551616))
    }
}
