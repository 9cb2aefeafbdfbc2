import Foundation
import Testing
@testable import SiamTrain
import Tensor

@Suite("Bad-input corpus: checkpoints")
struct CheckpointBadCorpusTests {
    /// Reading each case, and copying its tensor "w" into a [2, 3] view, fails with the expected line.
    @Test func safetensorsCases() throws {
        let before = snapshot(badCorpus)
        let cases = try corpusCases("checkpoints", ext: ".safetensors")
        #expect(cases.count >= 15)
        let target = FloatBuffer(count: 6)
        for c in cases {
            let m = message {
                let f = try SafetensorsFile.read(path: c.file.path)
                try f.copy("w", into: TensorView(pointer: target.pointer, shape: [2, 3]))
            }
            #expect(m == c.expected, "case \(c.name)")
            #expect(!m.contains("\n"), "case \(c.name)")
        }
        #expect(target.array == [0, 0, 0, 0, 0, 0])
        #expect(snapshot(badCorpus) == before)
    }

    /// Dropped into a run directory as the newest checkpoint, each bad file is skipped: `latest` loads the
    /// previous good checkpoint, pruning keeps it, and its files are byte-for-byte unchanged.
    @Test func aBadNewestCheckpointNeverCostsTheGoodOne() throws {
        let dir = try makeRunDir("badckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyState(seed: 1).save(dir, step: 1)
        let good = snapshot(dir)
        for c in try corpusCases("checkpoints", ext: ".safetensors") {
            let bad = dir.appendingPathComponent(Checkpoint.weightsName(step: 2))
            try FileManager.default.copyItem(at: c.file, to: bad)
            try FileManager.default.copyItem(at: c.file, to: dir.appendingPathComponent(Checkpoint.optimizerName(step: 2)))
            try "checkpoint-2\n".write(to: dir.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
            let loaded = Checkpoint.latest(in: dir)
            #expect(loaded?.step == 1, "case \(c.name)")
            #expect(loaded?.note?.hasPrefix("using checkpoint-1 because ") == true, "case \(c.name)")
            Checkpoint.prune(dir: dir, keep: 1)
            #expect(Checkpoint.steps(in: dir) == [1, 2], "case \(c.name)")
            try FileManager.default.removeItem(at: bad)
            try FileManager.default.removeItem(at: dir.appendingPathComponent(Checkpoint.optimizerName(step: 2)))
            try "checkpoint-1\n".write(to: dir.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
            #expect(snapshot(dir) == good, "case \(c.name)")
        }
    }
}
