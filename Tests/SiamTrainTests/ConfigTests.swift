import Foundation
import Testing
@testable import SiamTrain
import ViT

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let presetsDir = repoRoot.appendingPathComponent("runs/presets")

/// The message of the error `body` throws, or "no error".
func message(_ body: () throws -> Void) -> String {
    do { try body(); return "no error" } catch { return "\(error)" }
}

@Suite("Config: presets")
struct ConfigPresetTests {
    @Test func everyCommittedPresetLoadsValidatesAndIsCanonical() throws {
        let names = Presets.available(in: presetsDir)
        #expect(names == ["ablation-a", "ablation-b", "ablation-c", "ablation-d", "ablation-e", "ablation-f", "ablation-g",
                          "ablation-h", "ablation-i", "ablation-j", "base", "cifar-tiny", "fmnist-tiny", "smoke"])
        for name in names {
            let config = try Presets.load(nameOrPath: name, presetsDir: presetsDir)
            try config.validate()
            let text = try String(contentsOf: presetsDir.appendingPathComponent(name + ".json"), encoding: .utf8)
            #expect(config.json() == text, "\(name).json is not in canonical form")
            #expect(try RunConfig.decode(json: config.json(), source: name) == config)
        }
    }

    /// Numbers from docs/method.md §12 and the official config (docs/method.md §7), typed here independently of the JSON files.
    @Test func fmnistTinyMatchesTheDesign() throws {
        let c = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        #expect(c.data.source == "fashion-mnist" && c.data.imageSize == 28 && c.data.channels == 1)
        #expect(c.data.mean == [0.2860] && c.data.std == [0.3530] && c.data.path == nil)
        #expect(c.model == ModelConfig(patchSize: 4, dim: 128, depth: 6, heads: 4, mlpRatio: 4, projectorDepth: 2, decoderDepth: 4, decoderHeads: 4))
        #expect(c.mask == MaskConfig(kind: "blockwise", count: 29, minBlock: 16, minAspect: 0.3))
        #expect(c.augment == AugmentConfig(cropMin: 0.08, view1: .view1, view2: .view2))
        #expect(c.optimizer == OptimizerConfig(lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.05, clipGrad: 1.0))
        #expect(c.schedule == ScheduleConfig(epochs: 4, warmupEpochs: 0.4))
        #expect(c.ema.momentum == 0.995 && c.loss.negWeight == 0.02)
        #expect(c.train == TrainConfig(batchSize: 256, steps: nil, seed: 0, logEvery: 10, snapshotEvery: 50, checkpointEvery: 500, threads: 2))
        #expect(c.networkShape.patches == 49 && c.networkShape.visible == 20)
    }

    @Test func smokeIsTheTinyModelCutDown() throws {
        let s = try Presets.load(nameOrPath: "smoke", presetsDir: presetsDir)
        let f = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        #expect(s.model.depth == 2 && s.model.projectorDepth == 1 && s.model.decoderDepth == 2)
        #expect(s.model.dim == f.model.dim && s.model.heads == f.model.heads && s.model.patchSize == f.model.patchSize)
        #expect(s.train.batchSize == 16 && s.train.steps == 20)
        #expect(s.data == f.data && s.mask == f.mask && s.optimizer == f.optimizer)
        let synthetic = try s.applying(overrides: ["data.source=synthetic"])
        #expect(synthetic.data.source == "synthetic")
    }

    @Test func cifarTinyAndBase() throws {
        let c = try Presets.load(nameOrPath: "cifar-tiny", presetsDir: presetsDir)
        #expect(c.data.imageSize == 32 && c.data.channels == 3)
        #expect(c.data.mean == [0.4914, 0.4822, 0.4465] && c.data.std == [0.2470, 0.2435, 0.2616])
        #expect(c.model.dim == 192 && c.model.heads == 3 && c.model.decoderHeads == 3 && c.model.depth == 6)
        #expect(c.mask.count == 38 && c.networkShape.patches == 64)
        let b = try Presets.load(nameOrPath: "base", presetsDir: presetsDir)
        #expect(b.networkShape.patches == 196 && b.networkShape.visible == 78)
        #expect(b.model == ModelConfig(patchSize: 16, dim: 768, depth: 12, heads: 12, mlpRatio: 4, projectorDepth: 2, decoderDepth: 4, decoderHeads: 16))
        #expect(b.data.mean == [0.485, 0.456, 0.406] && b.data.std == [0.229, 0.224, 0.225])
        #expect(b.train.batchSize == 4096 && b.schedule == ScheduleConfig(epochs: 1600, warmupEpochs: 40))
        #expect(b.mask == MaskConfig(kind: "blockwise", count: 118, minBlock: 16, minAspect: 0.3))
    }

    @Test func missingPresetListsTheAvailableOnes() {
        #expect(message { _ = try Presets.load(nameOrPath: "fmnist-tiyn", presetsDir: presetsDir) }
            == "preset \"fmnist-tiyn\" not found in \(presetsDir.path) (did you mean \"fmnist-tiny\"?); available: ablation-a, ablation-b, ablation-c, ablation-d, ablation-e, ablation-f, ablation-g, ablation-h, ablation-i, ablation-j, base, cifar-tiny, fmnist-tiny, smoke")
        #expect(message { _ = try Presets.load(nameOrPath: "/nonexistent/x.json", presetsDir: presetsDir) }
            == "preset /nonexistent/x.json: cannot read: no such file")
    }

    @Test func presetDirectoryResolution() throws {
        let fromEnv = Presets.defaultDirectory(environment: ["SIAMON_PRESETS": "/tmp/p"], currentDirectory: "/", executable: nil)
        #expect(fromEnv.path == "/tmp/p")
        let fromCwd = Presets.defaultDirectory(environment: [:], currentDirectory: repoRoot.path, executable: nil)
        #expect(fromCwd.standardizedFileURL.path == presetsDir.standardizedFileURL.path)
        let exe = repoRoot.appendingPathComponent(".build/debug/siamon").path
        let fromExe = Presets.defaultDirectory(environment: [:], currentDirectory: "/", executable: exe)
        #expect(fromExe.standardizedFileURL.path == presetsDir.standardizedFileURL.path)
        let nowhere = Presets.defaultDirectory(environment: [:], currentDirectory: "/", executable: "/usr/bin/true")
        #expect(nowhere.path == "/runs/presets")
    }
}

@Suite("Config: strict decoding and validation")
struct ConfigDecodingTests {
    func fmnist() throws -> RunConfig { try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir) }

    /// The fmnist-tiny JSON with `edit` applied to its tree.
    func edited(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let data = try Data(contentsOf: presetsDir.appendingPathComponent("fmnist-tiny.json"))
        var tree = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        edit(&tree)
        return String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
    }

    func decodeMessage(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let text = try edited(edit)
        return message { _ = try RunConfig.decode(json: text, source: "preset fmnist-tiny.json") }
    }

    @Test func unknownKeysAnywhereAreErrorsWithASuggestion() throws {
        #expect(try decodeMessage { t in var m = t["model"] as! [String: Any]; m["dimm"] = m.removeValue(forKey: "dim"); t["model"] = m }
            == #"preset fmnist-tiny.json: unknown key "model.dimm" (did you mean "model.dim"?)"#)
        #expect(try decodeMessage { t in t["extra"] = 1 } == #"preset fmnist-tiny.json: unknown key "extra""#)
        #expect(try decodeMessage { t in
            var a = t["augment"] as! [String: Any]; var v = a["view1"] as! [String: Any]; v["blur"] = 1; a["view1"] = v; t["augment"] = a
        } == #"preset fmnist-tiny.json: unknown key "augment.view1.blur" (did you mean "augment.view1.blur_p"?)"#)
    }

    @Test func wrongTypesNameTheKeyAndTheExpectedType() throws {
        #expect(try decodeMessage { t in var m = t["model"] as! [String: Any]; m["dim"] = "128"; t["model"] = m }
            == #"preset fmnist-tiny.json: model.dim must be an integer, got a string ("128")"#)
        #expect(try decodeMessage { t in var m = t["model"] as! [String: Any]; m["depth"] = 6.5; t["model"] = m }
            == "preset fmnist-tiny.json: model.depth must be an integer, got a number (6.5)")
        #expect(try decodeMessage { t in t["ema"] = 0.99 }
            == "preset fmnist-tiny.json: ema must be an object, got a number (0.99)")
        #expect(try decodeMessage { t in var d = t["data"] as! [String: Any]; d["mean"] = ["a"]; t["data"] = d }
            == #"preset fmnist-tiny.json: data.mean must be an array of numbers, got an array (["a"])"#)
        #expect(try decodeMessage { t in var d = t["train"] as! [String: Any]; d.removeValue(forKey: "seed"); t["train"] = d }
            == #"preset fmnist-tiny.json: missing key "train.seed" (a preset lists every field)"#)
        #expect(message { _ = try RunConfig.decode(json: "[1]", source: "p") } == "p: the preset must be an object, got an array ([1])")
        #expect(message { _ = try RunConfig.decode(json: "{\"a\":1,}", source: "p") } == "p: invalid JSON at byte 7: expected a string key")
    }

    /// (mutation, key the error must name): one case per validation rule.
    @Test func everyRuleNamesItsKey() throws {
        let base = try fmnist()
        let cases: [(String, (inout RunConfig) -> Void)] = [
            ("data.source", { $0.data.source = "mnist" }), ("data.path", { $0.data.source = "folder" }),
            ("data.channels", { $0.data.channels = 2 }), ("data.mean", { $0.data.mean = [0.1, 0.2] }),
            ("data.std", { $0.data.std = [0] }), ("data.image_size", { $0.data.imageSize = 30 }),
            ("data.image_size", { $0.data.imageSize = 4 }), ("model.patch_size", { $0.model.patchSize = 0 }),
            ("model.dim", { $0.model.dim = 130 }), ("model.dim", { $0.model.dim = 132; $0.model.heads = 8 }),
            ("model.dim", { $0.model.decoderHeads = 3 }), ("model.depth", { $0.model.depth = 0 }),
            ("model.mlp_ratio", { $0.model.mlpRatio = 0 }), ("model.projector_depth", { $0.model.projectorDepth = 0 }),
            ("model.decoder_depth", { $0.model.decoderDepth = 0 }), ("model.heads", { $0.model.heads = 0 }),
            ("mask.kind", { $0.mask.kind = "grid" }), ("mask.count", { $0.mask.count = 49 }), ("mask.count", { $0.mask.count = 0 }),
            ("mask.min_block", { $0.mask.minBlock = 0 }), ("mask.min_aspect", { $0.mask.minAspect = 1.5 }),
            ("augment.crop_min", { $0.augment.cropMin = 0 }), ("augment.view1.blur_p", { $0.augment.view1.blurP = 1.5 }),
            ("augment.view2.solarize_p", { $0.augment.view2.solarizeP = -0.1 }), ("augment.view1.hue", { $0.augment.view1.hue = 0.6 }),
            ("augment.view2.brightness", { $0.augment.view2.brightness = -1 }),
            ("augment.view1.blur_sigma_max", { $0.augment.view1.blurSigmaMax = 0.05 }),
            ("optimizer.lr", { $0.optimizer.lr = 0 }), ("optimizer.lr", { $0.optimizer.lr = -1 }), ("optimizer.lr", { $0.optimizer.lr = .nan }),
            ("optimizer.beta1", { $0.optimizer.beta1 = 1 }), ("optimizer.beta2", { $0.optimizer.beta2 = -0.1 }),
            ("optimizer.eps", { $0.optimizer.eps = 0 }), ("optimizer.weight_decay", { $0.optimizer.weightDecay = -0.01 }),
            ("optimizer.clip_grad", { $0.optimizer.clipGrad = .infinity }), ("schedule.epochs", { $0.schedule.epochs = 0 }),
            ("schedule.warmup_epochs", { $0.schedule.warmupEpochs = 5 }), ("schedule.warmup_epochs", { $0.schedule.warmupEpochs = -1 }),
            ("ema.momentum", { $0.ema.momentum = 1.01 }), ("loss.neg_weight", { $0.loss.negWeight = -1 }),
            ("train.batch_size", { $0.train.batchSize = 0 }), ("train.steps", { $0.train.steps = 0 }),
            ("train.log_every", { $0.train.logEvery = 0 }), ("train.snapshot_every", { $0.train.snapshotEvery = -1 }),
            ("train.checkpoint_every", { $0.train.checkpointEvery = -1 }), ("train.threads", { $0.train.threads = 0 }),
            ("train.seed", { $0.train.seed = .max }),
            ("model.target", { $0.model.target = "pixels" }), ("model.projector_norm", { $0.model.projectorNorm = "BN" }),
            ("model.decoder_norm", { $0.model.decoderNorm = "gn" }), ("augment.views", { $0.augment.views = "two" }),
            ("augment.color_aug", { $0.augment.colorAug = "true" }), ("loss.norm", { $0.loss.norm = "byol" }),
            ("loss.kind", { $0.loss.kind = "local" }),
            ("loss.norm", { $0.model.target = "pixel"; $0.loss.norm = "moco" }),
            ("loss.kind", { $0.model.target = "pixel"; $0.loss.kind = "global" }),
            ("train.batch_size", { $0.loss.kind = "global"; $0.loss.norm = "moco"; $0.train.batchSize = 1 }),
        ]
        for (key, mutate) in cases {
            var c = base
            mutate(&c)
            let m = message { try c.validate() }
            #expect(m.hasPrefix("config: \(key) = "), "expected an error naming \(key), got: \(m)")
            #expect(!m.contains("\n"))
        }
        var ok = base
        ok.train.batchSize = 1; ok.schedule.warmupEpochs = ok.schedule.epochs; ok.ema.momentum = 1; ok.mask.count = 48
        try ok.validate()
    }

    @Test func theDivisibilityRulesSayWhy() throws {
        var c = try fmnist()
        c.model.dim = 130
        #expect(message { try c.validate() } == "config: model.dim = 130: D must be divisible by 4 for the sin-cos embeddings")
        c.model.dim = 132; c.model.heads = 8
        #expect(message { try c.validate() } == "config: model.dim = 132: D must be divisible by model.heads = 8")
        c = try fmnist(); c.mask.count = 49
        #expect(message { try c.validate() } == "config: mask.count = 49: must be between 1 and 48 (the image has 49 tokens and at least one must stay visible)")
    }
}
