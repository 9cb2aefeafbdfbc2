import Foundation
import SiamTrain
import Tensor
import Testing
import ViT

/// `siamon probe RUN|FILE`: how the argument resolves to weights and a config, its error paths, and a small
/// end-to-end probe on the synthetic source.
@Suite("probe-v1 command")
struct ProbeCommandTests {
    static let presets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("runs/presets")

    /// TestConfigs.tiny's small network (D = 32, 2 blocks) on 28×28 Fashion-MNIST.
    static var config: RunConfig {
        var c = TestConfigs.tiny()
        c.data = DataConfig(source: "fashion-mnist", path: nil, imageSize: 28, channels: 1, mean: [0.286], std: [0.353])
        return c
    }

    /// A runs folder holding run "r1" with a checkpoint of `config` at `step`; removed by the caller.
    static func runsFolder(step: Int = 3) throws -> (URL, SiameseNetwork) {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("probe-runs-\(UInt32.random(in: 0...UInt32.max))")
        let net = SiameseNetwork(shape: config.networkShape, seed: 11)
        net.params["blocks.0.attn.qkv.bias"].pointer[0] = 0.5  // differs from any fresh init
        try Checkpoint.save(dir: runs.appendingPathComponent("r1"), step: step, weights: StateDictIO.namedTensors(net),
                            optimizer: [], metadata: [Checkpoint.Key.config: config.json()])
        return (runs, net)
    }

    func resolve(_ arg: String, _ runs: URL, checkpoint: Int? = nil, preset: String? = nil) throws -> ProbeTarget {
        try ProbeTarget.resolve(arg, runsDirectory: runs.path, checkpoint: checkpoint, preset: preset,
                                presetsDir: Self.presets)
    }

    @Test func runResolvesToItsLatestCheckpointAndRecordedConfig() throws {
        let (runs, saved) = try Self.runsFolder(step: 3)
        defer { try? FileManager.default.removeItem(at: runs) }
        let t = try resolve("r1", runs)
        #expect(t.runName == "r1" && t.step == 3 && t.config == Self.config && t.configOrigin == "checkpoint metadata")
        let net = try t.network()
        #expect(net.params["blocks.0.attn.qkv.bias"].pointer[0] == 0.5)
        #expect(net.params.storage.array == saved.params.storage.array && net.fixed.storage.array == saved.fixed.storage.array)
        // The same checkpoint as a FILE: config from the sibling .optim file, step from the metadata, no run.
        let f = try resolve(t.weightsPath, runs)
        #expect(f.runName == nil && f.step == 3 && f.config == Self.config)
    }

    @Test func badInputGivesOneClearLine() throws {
        let (runs, _) = try Self.runsFolder(step: 3)
        defer { try? FileManager.default.removeItem(at: runs) }
        try FileManager.default.createDirectory(at: runs.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let cases: [(String, () throws -> Any, (ProbeError) -> Bool)] = [
            ("missing run", { try resolve("nope", runs) }, { if case .noRun("nope", _) = $0 { true } else { false } }),
            ("no checkpoint", { try resolve("empty", runs) }, { if case .noCheckpoint("empty", _, _) = $0 { true } else { false } }),
            ("absent step", { try resolve("r1", runs, checkpoint: 7) }, { if case .noCheckpoint("r1", _, _) = $0 { true } else { false } }),
            ("negative step", { try resolve("r1", runs, checkpoint: -1) }, { if case .input = $0 { true } else { false } }),
            ("missing file", { try resolve(runs.path + "/x.safetensors", runs) }, { if case .input = $0 { true } else { false } }),
            ("file + step", { try resolve(runs.path + "/r1/checkpoint-3.safetensors", runs, checkpoint: 3) },
             { if case .input = $0 { true } else { false } }),
            // fmnist-tiny is 28×28, D = 128: the tiny checkpoint's tensors do not fit.
            ("wrong shapes", { try resolve("r1", runs, preset: "fmnist-tiny").network() },
             { if case .weights = $0 { true } else { false } }),
        ]
        for (what, body, matches) in cases {
            do {
                _ = try body()
                Issue.record("\(what): accepted")
            } catch let e as ProbeError {
                #expect(matches(e), "\(what): \(e)")
                #expect(!e.description.contains("\n") && e.description.hasPrefix("probe: "), "\(what): \(e)")
            } catch {
                Issue.record("\(what): not a ProbeError: \(error)")
            }
        }
    }

    /// A damaged weights file reports the file (the safetensors reader's error), not a crash.
    @Test func damagedWeightsFileIsAnError() throws {
        let (runs, _) = try Self.runsFolder(step: 3)
        defer { try? FileManager.default.removeItem(at: runs) }
        let path = runs.path + "/junk.safetensors"
        _ = FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
        #expect(throws: (any Error).self) { try resolve(path, runs) }
    }

    /// End to end on 2000 train / 500 test Fashion-MNIST images: raw pixels reach about 83/78 % here (84 % on the
    /// full splits); the random 2-block D = 32 encoder about 46/54 % (its mean-pooled features are mostly the
    /// patch embedding of the mean patch, 16 numbers). Chance is 10 %.
    @Test func smallEndToEndProbe() throws {
        let (runs, _) = try Self.runsFolder(step: 3)
        defer { try? FileManager.default.removeItem(at: runs) }
        let t = try resolve("r1", runs)
        let splits = try ProbeRun.splits(data: t.config.data, limitTrain: 2000, limitTest: 500)
        #expect(splits.classes == 10 && splits.train.count == 2000 && splits.test.count == 500)
        let enc = try ProbeRun.encoder(try t.network(), splits: splits, seed: 0)
        let px = try ProbeRun.pixels(splits: splits, seed: 0)
        print(enc.line); print(px.line)
        #expect(enc.dim == 32 && px.dim == 784 && enc.trainCount == 2000 && enc.testCount == 500)
        #expect(px.result.linear > 75 && px.result.linear <= 90 && px.result.knn > 70 && px.result.knn <= 90, "\(px.result)")
        #expect(enc.result.linear > 35 && enc.result.linear <= 90 && enc.result.knn > 35 && enc.result.knn <= 90, "\(enc.result)")
        #expect(enc.line.hasPrefix("probe-v1  linear ") && enc.line.contains("(features D=32, 2000 train / 500 test, "))
    }
}
