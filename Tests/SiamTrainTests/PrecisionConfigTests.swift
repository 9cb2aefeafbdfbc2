import Foundation
import Tensor
import Testing
@testable import SiamTrain

/// train.precision in the preset schema: old configs decode to fp32, `--set` takes both values, other words are
/// one-line errors, and a run asking for bf16 on a CPU without its kernel is refused with one line.
@Suite("Config: train.precision")
struct PrecisionConfigTests {
    @Test func missingKeyDecodesToFP32() throws {
        let data = try Data(contentsOf: presetsDir.appendingPathComponent("fmnist-tiny.json"))
        var tree = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var train = tree["train"] as! [String: Any]
        #expect(train.removeValue(forKey: "precision") as? String == "fp32", "train.precision is not in the committed preset")
        tree["train"] = train
        let old = String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
        let c = try RunConfig.decode(json: old, source: "old run")
        #expect(c == (try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)))
        #expect(c.train.precision == "fp32" && c.train.gemmPrecision == .fp32)
    }

    @Test func setTakesBothAndRoundTrips() throws {
        let base = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        let c = try base.applying(overrides: ["train.precision=bf16"])
        #expect(c.train.gemmPrecision == .bf16)
        #expect(c.json().contains(#""precision": "bf16""#))
        #expect(try RunConfig.decode(json: c.json(), source: "stored") == c)
        #expect(try c.applying(overrides: ["train.precision=fp32"]) == base)
        #expect(message { _ = try base.applying(overrides: ["train.precision=fp16"]) }
            == "--set train.precision=fp16: train.precision = fp16: must be one of fp32, bf16")
    }

    /// Where the bf16 kernel cannot run, a bf16 run stops at the session with the refusal line; fp32 never does.
    @Test func sessionRefusesUnavailablePrecision() throws {
        var c = TestConfigs.tiny(batch: 2, steps: 1)
        c.data.source = "synthetic"; c.data.path = nil
        c.train.precision = "bf16"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siamon-precision-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        if let line = GemmPrecision.refusal(.bf16) {
            #expect(message { _ = try TrainingSession(name: "p", config: c, runDirectory: dir, sinks: [], resume: false) } == line)
        } else {
            #expect(throws: Never.self) { _ = try TrainingSession(name: "p", config: c, runDirectory: dir, sinks: [], resume: false) }
        }
    }
}
