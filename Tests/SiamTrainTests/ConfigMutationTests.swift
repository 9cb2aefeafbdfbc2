import Foundation
import Testing
@testable import SiamTrain
import Tensor

/// Seeded mutations of a valid preset and random `--set` arguments: each either decodes to a config that
/// validates, or fails with one `ConfigError` line. A trap (overflow, index out of range) fails the run.
@Suite("Config: mutated input")
struct ConfigMutationTests {
    @Test func mutatedPresetsNeverCrash() throws {
        let text = Array(try String(contentsOf: presetsDir.appendingPathComponent("fmnist-tiny.json"), encoding: .utf8).utf8)
        let alphabet = Array("{}[]\":,0123456789-.e n".utf8)
        var rng = SeededRNG(seed: 7)
        var accepted = 0
        for _ in 0..<1000 {
            var b = text
            for _ in 0..<(1 + Int(rng.next() % 2)) {
                let at = Int(rng.next() % UInt64(b.count))
                if rng.next() % 2 == 0 { b[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))] } else { b.remove(at: at) }
            }
            do {
                let c = try RunConfig.decode(json: b, source: "m")
                try c.validate()
                accepted += 1
            } catch {
                #expect(error is ConfigError)
                #expect(!"\(error)".contains("\n"))
            }
        }
        #expect(accepted > 0 && accepted < 1000)
    }

    @Test func randomOverridesNeverCrash() throws {
        let preset = try Presets.load(nameOrPath: "smoke", presetsDir: presetsDir)
        let keys = preset.flattened().map(\.key) + ["model.dimm", "lr", "", "=", "a.b.c"]
        let values = ["0", "-1", "1", "3", "1e308", "-0", "9223372036854775807", "99999999999999999999", "nan", "none",
                      "", "0.5,0.5", "[1]", "x", "4096", "1000000"]
        var rng = SeededRNG(seed: 3)
        for _ in 0..<1500 {
            let args = (0..<(1 + Int(rng.next() % 3))).map { _ in
                keys[Int(rng.next() % UInt64(keys.count))] + "=" + values[Int(rng.next() % UInt64(values.count))]
            }
            do { _ = try preset.applying(overrides: args) } catch {
                #expect(error is ConfigError)
                #expect(!"\(error)".contains("\n"))
            }
        }
    }
}
