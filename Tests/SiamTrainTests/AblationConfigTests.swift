import Foundation
import Testing
@testable import SiamTrain
import ViT

/// The Table-3 switches in the preset schema (docs/method.md §10): defaults for old configs, `--set`, and the presets.
@Suite("Config: ablation switches")
struct AblationConfigTests {
    static let newKeys = [("model", "target"), ("model", "projector_norm"), ("model", "decoder_norm"), ("augment", "views"),
                          ("augment", "color_aug"), ("loss", "norm_pix"), ("loss", "norm"), ("loss", "kind")]

    /// A preset written before the switches existed (all eight keys absent) decodes to the official setting.
    @Test func missingSwitchesDecodeToTheOfficialSetting() throws {
        let data = try Data(contentsOf: presetsDir.appendingPathComponent("fmnist-tiny.json"))
        var tree = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for (section, key) in Self.newKeys {
            var s = tree[section] as! [String: Any]
            #expect(s.removeValue(forKey: key) != nil, "\(section).\(key) is not in the committed preset")
            tree[section] = s
        }
        let old = String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
        let c = try RunConfig.decode(json: old, source: "old run")
        #expect(c == (try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)))
        #expect(c.model.target == "feature" && c.model.projectorNorm == "bn" && c.model.decoderNorm == "bn")
        #expect(c.augment.views == "different" && c.augment.colorAug == "on")
        #expect(c.loss.normPix && c.loss.norm == "mae" && c.loss.kind == "dense")
    }

    @Test func everySwitchTakesSet() throws {
        let base = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        let c = try base.applying(overrides: ["model.target=pixel", "model.projector_norm=ln", "model.decoder_norm=ln",
                                              "augment.views=same", "augment.color_aug=off", "loss.norm_pix=false"])
        #expect(c.model.pixelTarget && !c.model.projectorBatchNorm && !c.model.decoderBatchNorm)
        #expect(c.augment.sameView && !c.augment.colour && !c.loss.normPix)
        let g = try base.applying(overrides: ["loss.norm=moco", "loss.kind=global", "mask.kind=random"])
        #expect(g.loss.moco && g.loss.global && g.mask.kind == "random")
        // flattened() round-trips the new keys too (the bool as true/false).
        #expect(try base.applying(overrides: c.flattened().map { "\($0)=\($1)" }) == c)
    }

    @Test func badValuesAreOneLineErrors() throws {
        let base = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        #expect(message { _ = try base.applying(overrides: ["model.target=pixels"]) }
            == "--set model.target=pixels: model.target = pixels: must be one of feature, pixel")
        #expect(message { _ = try base.applying(overrides: ["loss.norm_pix=yes"]) }
            == #"--set loss.norm_pix=yes: loss.norm_pix must be true or false, got "yes""#)
        #expect(message { _ = try base.applying(overrides: ["model.target=pixel", "loss.norm=moco"]) }
            == "--set loss.norm=moco: loss.norm = moco: moco normalises feature targets; the pixel target (model.target = pixel) takes mae")
        var tree = try JSONSerialization.jsonObject(with: Data(contentsOf: presetsDir.appendingPathComponent("fmnist-tiny.json"))) as! [String: Any]
        var loss = tree["loss"] as! [String: Any]; loss["norm_pix"] = 1; tree["loss"] = loss
        let text = String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
        #expect(message { _ = try RunConfig.decode(json: text, source: "p") } == "p: loss.norm_pix must be true or false, got an integer (1)")
        loss["norm_pix"] = true; loss["normpix"] = true; tree["loss"] = loss
        let typo = String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
        #expect(message { _ = try RunConfig.decode(json: typo, source: "p") } == #"p: unknown key "loss.normpix" (did you mean "loss.norm_pix"?)"#)
    }

    /// Our reading of Table 3 (runs/presets/README.md), typed here independently of the JSON files.
    @Test func ablationPresetsFollowTable3() throws {
        let rows: [(String, String, String, String, String, String, String, String)] = [
            ("a", "pixel", "same", "off", "random", "ln", "mae", "dense"),
            ("b", "feature", "same", "off", "random", "ln", "moco", "dense"),
            ("c", "pixel", "different", "off", "random", "ln", "mae", "dense"),
            ("d", "pixel", "different", "on", "random", "ln", "mae", "dense"),
            ("e", "feature", "different", "off", "random", "ln", "moco", "dense"),
            ("f", "feature", "different", "on", "random", "ln", "moco", "dense"),
            ("g", "feature", "different", "on", "random", "bn", "moco", "dense"),
            ("h", "feature", "different", "on", "blockwise", "bn", "moco", "dense"),
            ("i", "feature", "different", "on", "blockwise", "bn", "mae", "dense"),
            ("j", "feature", "different", "on", "blockwise", "bn", "moco", "global"),
        ]
        let tiny = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        for (row, target, views, colour, mask, norm, lossNorm, kind) in rows {
            let c = try Presets.load(nameOrPath: "ablation-\(row)", presetsDir: presetsDir)
            #expect(c.model.target == target && c.augment.views == views && c.augment.colorAug == colour, "row \(row)")
            #expect(c.mask.kind == mask && c.model.projectorNorm == norm && c.model.decoderNorm == norm, "row \(row)")
            #expect(c.loss.norm == lossNorm && c.loss.kind == kind && c.loss.normPix, "row \(row)")
            // Everything else is fmnist-tiny's.
            var same = c
            same.model.target = tiny.model.target; same.model.projectorNorm = "bn"; same.model.decoderNorm = "bn"
            same.augment.views = "different"; same.augment.colorAug = "on"; same.mask.kind = "blockwise"
            same.loss.norm = "mae"; same.loss.kind = "dense"
            #expect(same == tiny, "row \(row) differs from fmnist-tiny outside the switches")
        }
        #expect(try Presets.load(nameOrPath: "ablation-i", presetsDir: presetsDir) == tiny)
    }
}
