import Foundation
import Testing
@testable import SiamTrain
import Tensor
import TestSupport

func makeRunDir(_ tag: String) throws -> URL { URL(fileURLWithPath: TempDir.fresh(tag)) }

/// A toy "model": two float tensors with official-style names plus a BN counter, and their AdamW moments,
/// all filled from `seed` so different steps hold different values.
struct ToyState {
    let w = FloatBuffer(count: 6), b = FloatBuffer(count: 3), m = FloatBuffer(count: 9), v = FloatBuffer(count: 9)
    let seed: Float
    init(seed: Float) {
        self.seed = seed
        for i in 0..<6 { w[i] = seed + Float(i) }
        for i in 0..<3 { b[i] = -seed - Float(i) }
        for i in 0..<9 { m[i] = seed * 0.5 + Float(i); v[i] = seed * 0.25 + Float(i) }
    }
    var weights: [NamedTensor] {
        [NamedTensor("blocks.0.attn.qkv.weight", TensorView(pointer: w.pointer, shape: [3, 2])),
         NamedTensor("mm_blocks.0.attn.qkv.bias", TensorView(pointer: b.pointer, shape: [3])),
         .int64("projector_decoder_blocks.0.norm1.bn.num_batches_tracked", shape: [], [Int64(seed)])]
    }
    var optimizer: [NamedTensor] {
        Checkpoint.moments([("blocks.0.attn.qkv.weight", TensorView(pointer: m.pointer, shape: [3, 2]), TensorView(pointer: v.pointer, shape: [3, 2])),
                            ("mm_blocks.0.attn.qkv.bias", TensorView(pointer: m.pointer + 6, shape: [3]), TensorView(pointer: v.pointer + 6, shape: [3]))])
    }
    func save(_ dir: URL, step: Int, keep: Int = 3) throws {
        try Checkpoint.save(dir: dir, step: step, weights: weights, optimizer: optimizer,
                            metadata: [Checkpoint.Key.config: "{\"x\":1}", Checkpoint.Key.dataSeed: "7"], keep: keep)
    }
}

func files(_ dir: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }

@Suite("Checkpoint")
struct CheckpointTests {
    @Test func savesAndLoadsWeightsMomentsAndMetadata() throws {
        let dir = try makeRunDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyState(seed: 10).save(dir, step: 40)
        #expect(files(dir) == ["checkpoint-40.optim.safetensors", "checkpoint-40.safetensors", "latest"])
        #expect(String(decoding: FileManager.default.contents(atPath: dir.appendingPathComponent("latest").path)!, as: UTF8.self) == "checkpoint-40\n")
        let c = try #require(Checkpoint.latest(in: dir))
        #expect(c.step == 40 && c.note == nil)
        #expect(try c.weights.tensor("blocks.0.attn.qkv.weight").values == [10, 11, 12, 13, 14, 15])
        #expect(try c.weights.int64s("projector_decoder_blocks.0.norm1.bn.num_batches_tracked") == [10])
        #expect(try c.optimizer.tensor("m.mm_blocks.0.attn.qkv.bias").values == [11, 12, 13])
        #expect(try c.optimizer.tensor("v.blocks.0.attn.qkv.weight").values == [2.5, 3.5, 4.5, 5.5, 6.5, 7.5])
        #expect(c.metadata["step"] == "40" && c.metadata["format_version"] == "1" && c.metadata["config"] == "{\"x\":1}")
        #expect(c.metadata["data_seed"] == "7")
        // The weights file holds weights only (it must load into the official model as is).
        #expect(c.weights.names == ["blocks.0.attn.qkv.weight", "mm_blocks.0.attn.qkv.bias", "projector_decoder_blocks.0.norm1.bn.num_batches_tracked"])
        let into = FloatBuffer(count: 3)
        try c.weights.copy("mm_blocks.0.attn.qkv.bias", into: TensorView(pointer: into.pointer, shape: [3]))
        #expect(into.array == [-10, -11, -12])
    }

    @Test func keepsTheLastKCheckpoints() throws {
        let dir = try makeRunDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        for step in [10, 20, 30, 40, 50] { try ToyState(seed: Float(step)).save(dir, step: step) }
        #expect(Checkpoint.steps(in: dir) == [30, 40, 50])
        try ToyState(seed: 60).save(dir, step: 60, keep: 1)
        #expect(Checkpoint.steps(in: dir) == [60])
        #expect(Checkpoint.latest(in: dir)?.step == 60)
        #expect(throws: CheckpointError.self) { try ToyState(seed: 1).save(dir, step: 70, keep: 0) }
    }

    /// A SIGKILL mid-write leaves a temporary file (before the rename) or a new weights file without its
    /// optimizer file (between the renames); `latest` still names the previous checkpoint, which loads.
    @Test func aCrashMidWriteLeavesThePreviousCheckpointValid() throws {
        let dir = try makeRunDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyState(seed: 10).save(dir, step: 10)
        let before = try Data(contentsOf: dir.appendingPathComponent("checkpoint-10.safetensors"))
        // Crash during the weights write of step 20: a partial temp file.
        let partial = Data(before.prefix(before.count / 2))
        try partial.write(to: dir.appendingPathComponent(".checkpoint-20.safetensors.tmp.999.1"))
        #expect(Checkpoint.latest(in: dir)?.step == 10)
        #expect(Checkpoint.steps(in: dir) == [10])
        // Crash after the weights rename, before the optimizer file: step 20 is incomplete.
        let s20 = ToyState(seed: 20)
        try SafetensorsFile.write(path: dir.appendingPathComponent("checkpoint-20.safetensors").path, tensors: s20.weights,
                                  metadata: ["step": "20", "format_version": "1"])
        try partial.write(to: dir.appendingPathComponent(".checkpoint-20.optim.safetensors.tmp.999.2"))
        let c = try #require(Checkpoint.latest(in: dir))
        #expect(c.step == 10 && c.note == nil)
        #expect(try c.weights.tensor("blocks.0.attn.qkv.weight").values == [10, 11, 12, 13, 14, 15])
        #expect(throws: CheckpointError.missingFile(path: dir.appendingPathComponent("checkpoint-20.optim.safetensors").path)) {
            _ = try Checkpoint.load(dir: dir, step: 20)
        }
        #expect(try Data(contentsOf: dir.appendingPathComponent("checkpoint-10.safetensors")) == before)
        // The next save completes step 20 and sweeps the temporary files.
        try s20.save(dir, step: 20)
        #expect(files(dir) == ["checkpoint-10.optim.safetensors", "checkpoint-10.safetensors",
                               "checkpoint-20.optim.safetensors", "checkpoint-20.safetensors", "latest"])
        #expect(Checkpoint.latest(in: dir)?.step == 20)
    }

    @Test func aBadPointerOrDamagedTargetFallsBackToTheNewestValid() throws {
        let dir = try makeRunDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyState(seed: 1).save(dir, step: 1)
        try ToyState(seed: 2).save(dir, step: 2)
        try "garbage".write(to: dir.appendingPathComponent("latest"), atomically: false, encoding: .utf8)
        let a = try #require(Checkpoint.latest(in: dir))
        #expect(a.step == 2 && a.note == "using checkpoint-2 because latest pointer is not \"checkpoint-<step>\"")
        try "checkpoint-2\n".write(to: dir.appendingPathComponent("latest"), atomically: false, encoding: .utf8)
        let optim2 = dir.appendingPathComponent("checkpoint-2.optim.safetensors")
        let bytes = try Data(contentsOf: optim2)
        try bytes.prefix(bytes.count - 4).write(to: optim2)
        let b = try #require(Checkpoint.latest(in: dir))
        #expect(b.step == 1)
        #expect(b.note == "using checkpoint-1 because safetensors \(optim2.path): truncated file: it has \(bytes.count - 4) bytes "
                + "but its tensors need \(bytes.count); copy or save it again")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("checkpoint-1.safetensors"))
        #expect(Checkpoint.latest(in: dir) == nil)
    }

    @Test func pruningNeverDeletesTheNewestValidCheckpoint() throws {
        let dir = try makeRunDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        for step in [1, 2, 3] { try ToyState(seed: Float(step)).save(dir, step: step) }
        // Step 4 is written but its optimizer file is damaged: 3 stays the newest valid one.
        try ToyState(seed: 4).save(dir, step: 4)
        let optim4 = dir.appendingPathComponent("checkpoint-4.optim.safetensors")
        try Data([1, 2, 3]).write(to: optim4)
        Checkpoint.prune(dir: dir, keep: 1)
        #expect(Checkpoint.steps(in: dir) == [3, 4])
        #expect(try Checkpoint.load(dir: dir, step: 3).step == 3)
    }

    @Test func stepAndFormatAreChecked() throws {
        let dir = try makeRunDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyState(seed: 5).save(dir, step: 5)
        let fm = FileManager.default
        try fm.copyItem(at: dir.appendingPathComponent("checkpoint-5.safetensors"), to: dir.appendingPathComponent("checkpoint-6.safetensors"))
        try fm.copyItem(at: dir.appendingPathComponent("checkpoint-5.optim.safetensors"), to: dir.appendingPathComponent("checkpoint-6.optim.safetensors"))
        #expect(message { _ = try Checkpoint.load(dir: dir, step: 6) }
            == "checkpoint \(dir.path)/checkpoint-6.safetensors: metadata says step 5, the file name says 6; the file was renamed or damaged")
        let s = ToyState(seed: 7)
        try SafetensorsFile.write(path: dir.appendingPathComponent("checkpoint-7.safetensors").path, tensors: s.weights,
                                  metadata: ["step": "7", "format_version": "2"])
        #expect(message { _ = try Checkpoint.load(dir: dir, step: 7) }
            == "checkpoint \(dir.path)/checkpoint-7.safetensors: format_version 2, but this siamon reads format 1; use a newer siamon")
        #expect(Checkpoint.steps(in: dir) == [5, 6, 7])
    }
}
