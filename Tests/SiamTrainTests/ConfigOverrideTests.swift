import Foundation
import RunCore
import Testing
@testable import SiamTrain

@Suite("Config: --set overrides, flattened, json")
struct ConfigOverrideTests {
    func fmnist() throws -> RunConfig { try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir) }

    @Test func overridesParseByTheFieldType() throws {
        let c = try fmnist().applying(overrides: [
            "optimizer.lr=5e-4", "train.steps=100", "augment.view1.blur_p=0.5", "data.source=synthetic",
            "train.seed=42", "data.path=/tmp/x", "schedule.epochs=2", "schedule.warmup_epochs=0.25",
        ])
        #expect(c.optimizer.lr == 0.0005 && c.train.steps == 100 && c.augment.view1.blurP == 0.5)
        #expect(c.data.source == "synthetic" && c.train.seed == 42 && c.data.path == "/tmp/x")
        #expect(c.schedule == ScheduleConfig(epochs: 2, warmupEpochs: 0.25))
        let cleared = try c.applying(overrides: ["train.steps=none", "data.path=none"])
        #expect(cleared.train.steps == nil && cleared.data.path == nil)
        let rgb = try c.applying(overrides: ["data.channels=3", "data.mean=[0.5, 0.4,0.3]", "data.std=0.2,0.2,0.2"])
        #expect(rgb.data.mean == [0.5, 0.4, 0.3] && rgb.data.std == [0.2, 0.2, 0.2])
        // Values may contain '=' after the first one.
        #expect(try c.applying(overrides: ["data.path=/a=b"]).data.path == "/a=b")
    }

    @Test func typosAndBadValuesAreOneLine() throws {
        let c = try fmnist()
        #expect(message { _ = try c.applying(overrides: ["model.dimm=3"]) }
            == #"--set model.dimm=3: unknown key "model.dimm" (did you mean "model.dim"?)"#)
        #expect(message { _ = try c.applying(overrides: ["lr=0.1"]) }
            == #"--set lr=0.1: unknown key "lr" (did you mean "optimizer.lr"?)"#)
        #expect(message { _ = try c.applying(overrides: ["model"]) }
            == "--set model: expected section.key=value, e.g. optimizer.lr=5e-4")
        #expect(message { _ = try c.applying(overrides: ["model.dim=abc"]) }
            == #"--set model.dim=abc: model.dim must be an integer, got "abc""#)
        #expect(message { _ = try c.applying(overrides: ["optimizer.lr=nan"]) }
            == #"--set optimizer.lr=nan: optimizer.lr must be a number, got "nan""#)
        #expect(message { _ = try c.applying(overrides: ["optimizer.lr=0"]) }
            == "--set optimizer.lr=0: optimizer.lr = 0.0: must be > 0")
        #expect(message { _ = try c.applying(overrides: ["model.heads=5"]) }
            == "--set model.heads=5: model.dim = 128: D must be divisible by model.heads = 5")
        #expect(message { _ = try c.applying(overrides: ["model.depth=2", "model.heads=5"]) }
            == "--set model.depth=2 model.heads=5: model.dim = 128: D must be divisible by model.heads = 5")
    }

    @Test func flattenedIsSortedCompleteAndRoundTrips() throws {
        let c = try fmnist()
        let flat = c.flattened()
        #expect(flat.map(\.key) == flat.map(\.key).sorted())
        // 6 data + 11 model + 4 mask + 3 + 2×10 augment + 6 optimizer + 2 schedule + ema + 4 loss + 8 train
        #expect(flat.count == 65)
        let lookup = Dictionary(uniqueKeysWithValues: flat.map { ($0.key, $0.value) })
        #expect(lookup["model.dim"] == "128" && lookup["optimizer.lr"] == "0.001" && lookup["data.mean"] == "0.286")
        #expect(lookup["train.steps"] == "none" && lookup["augment.view2.solarize_p"] == "0.2")
        // Applying the flattened form to a different config gives back the original.
        let other = try c.applying(overrides: ["model.dim=64", "optimizer.lr=0.5", "train.steps=3", "augment.view1.hue=0"])
        #expect(try other.applying(overrides: flat.map { "\($0.key)=\($0.value)" }) == c)
        // The "hyper-parameters that differ" table is a plain comparison of the two lists.
        let diff = zip(flat, other.flattened()).filter { $0.value != $1.value }.map(\.0.key)
        #expect(diff == ["augment.view1.hue", "model.dim", "optimizer.lr", "train.steps"])
    }

    @Test func jsonIsCanonicalAndStrictlyReadable() throws {
        var c = try fmnist()
        c.data.mean = [0.1]; c.train.steps = 7; c.data.path = "p\"q"
        let text = c.json()
        #expect(try RunConfig.decode(json: text, source: "run") == c)
        #expect(text.contains("\"steps\": 7") && text.contains(#""path": "p\"q""#) && text.contains("\"mean\": [0.1]"))
        c.train.steps = nil
        #expect(c.json().contains("\"steps\": null"))
    }
}

@Suite("RunName")
struct RunNameTests {
    @Test func acceptsPlainNames() throws {
        for name in ["fmnist-tiny-20261126-1830", "a", "A.b_c-9", String(repeating: "x", count: 64), "x..y".replacingOccurrences(of: "..", with: ".")] {
            try RunName.validate(name)
        }
    }

    @Test func rejectsEscapesWithOneLine() {
        let cases: [(String, String)] = [
            ("", #"run name "" is empty"#),
            ("../x", #"run name "../x" contains '/'; a run name is one folder under runs/"#),
            ("..", #"run name ".." contains '..'"#),
            ("a..b", #"run name "a..b" contains '..'"#),
            (".", #"run name "." starts with '.'"#),
            ("/etc/passwd", #"run name "/etc/passwd" is an absolute path; give a plain name, it becomes runs/NAME"#),
            ("a\0b", #"run name "a\u0000b" contains a NUL byte"#),
            ("a b", #"run name "a b" contains ' '; use letters, digits, '.', '_' and '-'"#),
            ("é", #"run name "é" contains U+E9; use letters, digits, '.', '_' and '-'"#),
            (String(repeating: "x", count: 65), "run name \"" + String(repeating: "x", count: 65) + "\" is 65 characters long; the limit is 64"),
            (String(repeating: "y", count: 100), "run name \"" + String(repeating: "y", count: 76) + "...\" is 100 characters long; the limit is 64"),
            ("presets", #"run name "presets" is reserved (runs/presets holds the presets)"#),
        ]
        for (name, expected) in cases {
            #expect(message { try RunName.validate(name) } == expected)
        }
    }
}
