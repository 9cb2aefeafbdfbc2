import Foundation
import RunCore
import Testing
import TestSupport
@testable import TUI
import SiamTrain

/// The paper's Table 3 as the compare view: switch columns with defaults for old runs, the plain-text form of
/// `siamon compare --print`, and the screen at 120×40 and 80×24.
@Suite struct Table3Tests {
    /// The ten rows of Table 3 (runs/presets/ablation-a … j): only the switches away from the official setting.
    static let paperRows: [(String, [String: String])] = {
        let lnRandom = ["model.projector_norm": "ln", "model.decoder_norm": "ln", "mask.kind": "random"]
        func m(_ a: [String: String], _ b: [String: String]) -> [String: String] { a.merging(b) { _, y in y } }
        return [
            ("a", m(lnRandom, ["model.target": "pixel", "augment.views": "same", "augment.color_aug": "off"])),
            ("b", m(lnRandom, ["augment.views": "same", "augment.color_aug": "off", "loss.norm": "moco"])),
            ("c", m(lnRandom, ["model.target": "pixel", "augment.color_aug": "off"])),
            ("d", m(lnRandom, ["model.target": "pixel"])),
            ("e", m(lnRandom, ["augment.color_aug": "off", "loss.norm": "moco"])),
            ("f", m(lnRandom, ["loss.norm": "moco"])),
            ("g", ["mask.kind": "random", "loss.norm": "moco"]),
            ("h", ["loss.norm": "moco"]),
            ("i", [:]),
            ("j", ["loss.norm": "moco", "loss.kind": "global"]),
        ]
    }()

    static func sweepState(width: Int, height: Int) -> AppState {
        var s = AppState(width: width, height: height)
        s.runs = paperRows.enumerated().map { i, r in
            let done = i < 8
            return RunRow(id: "ablations-\(r.0)-20261126-220000", name: "ablations-\(r.0)-20261126-220000",
                          status: done ? .done : i == 8 ? .running : .queued, step: done ? 940 : i == 8 ? 300 : 0,
                          totalSteps: 940, lastLoss: done ? 0.5 + Double(i) / 100 : nil,
                          probeLinear: done ? 0.70 + Double(i) / 200 : nil, probeKnn: done ? 0.72 - Double(i) / 300 : nil,
                          config: r.1.merging(["optimizer.lr": "0.001"]) { a, _ in a },
                          wallSeconds: done ? 610 + Double(i * 37) : i == 8 ? 200 : nil, probeProtocol: done ? "probe-v1" : nil)
        }
        s.screen = .compare
        s.compareIds = s.runs.map(\.id)
        s.selectedRunId = s.runs.first?.id
        return s
    }

    @Test func compareSweep120x40() { ScreenSnapshotTests.check(Self.sweepState(width: 120, height: 40), "compare-table3-120x40") }
    @Test func compareSweep80x24() { ScreenSnapshotTests.check(Self.sweepState(width: 80, height: 24), "compare-table3-80x24", styles: false) }

    @Test func screenShowsEveryColumnAndShortRowNames() {
        let lines = renderApp(Self.sweepState(width: 120, height: 40)).lines
        let header = try? #require(lines.first { $0.contains("target") && $0.contains("lin %") })
        for h in ["views", "color", "mask", "proj norm", "dec norm", "loss norm", "kNN %", "wall"] {
            #expect(header?.contains(h) == true, "no \(h) column in \(header ?? "-")")
        }
        #expect(lines.contains { $0.contains("Table 3 · ablations-…-20261126-220000") })
        let rowC = lines.first { $0.contains("│ c ") }
        #expect(rowC?.contains("pixel") == true && rowC?.contains("different") == true && rowC?.contains("random") == true,
                "row c: \(rowC ?? "-")")
        // 80×24 abbreviates and says how many rows did not fit.
        let small = renderApp(Self.sweepState(width: 80, height: 24)).lines
        #expect(small.contains { $0.contains("pix") && $0.contains("rand") && $0.contains("│ c ") })
        #expect(small.contains { $0.contains("more runs") })
    }

    /// Runs from before the switches existed read as the official setting, so they are not Table 3.
    @Test func missingKeysAreTheOfficialSetting() {
        #expect(Table3.switchValues([:]) == ["feature", "different", "on", "blockwise", "bn", "bn", "mae", "dense"])
        #expect(Table3.switchValues(["augment.color_aug": "false", "loss.kind": "global"])[2] == "off")
        let old = RunRow(id: "old", name: "old", status: .done, config: ["optimizer.lr": "0.001", "mask.kind": "blockwise"])
        #expect(!Table3.applies([old]))
        var random = old; random.config["mask.kind"] = "random"
        #expect(Table3.applies([old, random]))
        var s = AppState(width: 120, height: 40)
        s.runs = [old]; s.compareIds = ["old"]; s.screen = .compare
        #expect(!CompareScreen.showsTable3(s))
        #expect(renderApp(s).lines.contains { $0.contains("hyper-parameters that differ") })
    }

    @Test func plainTextHasARowPerRunAndMarksSubsetProbes() {
        let rows = [
            Table3.Row(name: "ablations-a-x", switches: Table3.switchValues([:]), linear: 71.25, knn: 70.5, finalLoss: 0.51234,
                       wallSeconds: 75, subsetProbe: false),
            Table3.Row(name: "ablations-f-x", switches: Table3.switchValues(["mask.kind": "random"]), linear: 44.5, knn: nil,
                       finalLoss: nil, wallSeconds: 3725, subsetProbe: true),
        ]
        let lines = Table3.text(rows).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("run") && lines[0].hasSuffix("wall"))
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["ablations-a-x", "feature", "different", "on", "blockwise", "bn", "bn", "mae", "dense", "71.25", "70.50", "0.5123", "1m15s"])
        #expect(lines[2].contains("random") && lines[2].contains("44.50*") && lines[2].contains("1h02m"))
        #expect(lines[3].hasPrefix("* probe on a subset"))
    }

    @Test func shortNamesDropTheSharedPrefixAndStamp() {
        let r = Table3.shortNames(["ablations-a-20261126-220000", "ablations-b-20261126-220000"])
        #expect(r.names == ["a", "b"] && r.prefix == "ablations-" && r.suffix == "-20261126-220000")
        #expect(Table3.shortNames(["x"]).names == ["x"])
        #expect(Table3.shortNames(["run1", "run1"]).names == ["run1", "run1"])   // nothing would be left
    }
}

/// Sweep definitions: a sweep name maps to a preset prefix; the newest sweep's runs are found by their stamp.
@Suite struct SweepDefinitionTests {
    @Test func membersAreThePrefixedPresetsInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-presets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in ["ablation-c", "ablation-a", "ablation-b", "smoke", "ablation-"] {
            try Data("{}".utf8).write(to: dir.appendingPathComponent(n + ".json"))
        }
        let m = try Sweeps.members(of: "ablations", presetsDir: dir)
        #expect(m.map(\.preset) == ["ablation-a", "ablation-b", "ablation-c"])
        #expect(m.map(\.row) == ["a", "b", "c"])
        #expect(throws: SweepError.unknown(sweep: "nope", known: ["ablations"])) { try Sweeps.members(of: "nope", presetsDir: dir) }
        let empty = dir.appendingPathComponent("empty")
        #expect(throws: SweepError.noPresets(sweep: "ablations", prefix: "ablation-", directory: empty.path)) {
            try Sweeps.members(of: "ablations", presetsDir: empty)
        }
    }

    @Test func latestRunsAreTheNewestStamp() {
        let names = ["ablations-a-20261126-210000", "ablations-b-20261126-210000", "ablations-a-20261126-220000",
                     "ablations-b-20261126-220000", "ablations-x", "smoke-20261126-230000"]
        #expect(Sweeps.latestRuns(of: "ablations", among: names) == ["ablations-a-20261126-220000", "ablations-b-20261126-220000"])
        #expect(Sweeps.latestRuns(of: "ablations", among: ["other"]).isEmpty)
        let n = Sweeps.runName(sweep: "ablations", row: "j", stamp: Sweeps.stamp(Date(timeIntervalSince1970: 0)))
        #expect(n == "ablations-j-19700101-000000")
        #expect((try? RunName.validate(n)) != nil)
    }
}
