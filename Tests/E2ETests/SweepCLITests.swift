import Foundation
import MetricsStore
import Testing
import TestSupport

/// `siamon train --sweep ablations` at smoke length with the built binary: three presets copied from smoke.json
/// in a temporary presets folder (SIAMON_PRESETS), a temporary runs folder, 3 steps each and a subset probe.
@Suite(.serialized) struct SweepCLITests {
    /// ablation-a: smoke; ablation-b: random masks; ablation-c: smoke with another learning rate.
    static func presets() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-presets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let smoke = try String(contentsOf: CLIRunner.repoRoot.appendingPathComponent("runs/presets/smoke.json"), encoding: .utf8)
        try smoke.write(to: dir.appendingPathComponent("ablation-a.json"), atomically: true, encoding: .utf8)
        try smoke.replacingOccurrences(of: "\"blockwise\"", with: "\"random\"")
            .write(to: dir.appendingPathComponent("ablation-b.json"), atomically: true, encoding: .utf8)
        try smoke.replacingOccurrences(of: "\"lr\": 0.001", with: "\"lr\": 0.002")
            .write(to: dir.appendingPathComponent("ablation-c.json"), atomically: true, encoding: .utf8)
        return dir
    }

    static let smokeArgs = ["--set", "train.steps=3", "--set", "train.batch_size=8", "--probe-limit", "200", "--headless"]

    /// The Table 3 lines of `out` whose first cell starts with `prefix`, split into cells.
    static func tableRows(_ out: String, _ prefix: String) -> [[String]] {
        out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.filter { $0.first?.hasPrefix(prefix) == true && $0.count == 13 }
    }

    @Test(arguments: [1]) func smokeSweepFinishesProbesAndPrintsTable3(parallel: Int) throws {
        let presets = try Self.presets(), runs = presets.appendingPathComponent("runs")
        defer { try? FileManager.default.removeItem(at: presets) }
        let env = ["SIAMON_PRESETS": presets.path]
        let r = try CLIRunner.run(["train", "--sweep", "ablations", "--runs", runs.path, "--parallel", String(parallel)] + Self.smokeArgs,
                                  timeout: 120, environment: env)
        #expect(r.status == 0, "exit \(r.status)\nstdout: \(r.stdout)\nstderr: \(r.stderr)")
        #expect(r.stdout.contains("sweep ablations: 3 runs (ablation-a, ablation-b, ablation-c), \(parallel) at a time"))
        let rows = Self.tableRows(r.stdout, "ablations-")
        #expect(rows.count == 3, "Table 3 rows: \(rows)\n\(r.stdout)")
        // run, target, views, color, mask, proj, dec, loss norm, loss, lin, kNN, final loss, wall
        #expect(rows.map { $0[4] } == ["blockwise", "random", "blockwise"])
        #expect(rows.allSatisfy { Array($0[1...8]) == [$0[1], "different", "on", $0[4], "bn", "bn", "mae", "dense"] && $0[1] == "feature" })
        #expect(rows.allSatisfy { $0[9].hasSuffix("*") && Double($0[9].dropLast()) != nil && Double($0[11]) != nil }, "\(rows)")
        for row in ["a", "b", "c"] {
            #expect(r.stdout.contains(Regex<Substring>(verbatim: "started ablations-\(row)-")), "no start line for \(row)")
            #expect(r.stdout.contains("done: ablations-\(row)-"), "no end line for \(row)")
        }
        // The store: every run done with its 3 steps and a (subset) probe, shown by `siamon runs`.
        let db = try MetricsDatabase(path: runs.appendingPathComponent("siamon.sqlite").path, mode: .readOnly)
        defer { db.close() }
        let summaries = try db.runs()
        #expect(summaries.map(\.preset) == ["ablation-a", "ablation-b", "ablation-c"])
        for s in summaries {
            #expect(s.status == .done && s.steps == 3, "\(s.name): \(s.status) \(s.steps)")
            #expect(s.latestProbe?.protocolName == "probe-v1-subset" && s.latestProbe?.linear != nil, "\(s.name) has no probe")
        }
        let listed = try CLIRunner.run(["runs", "--runs", runs.path])
        #expect(listed.stdout.split(separator: "\n").filter { $0.hasPrefix("ablations-") && $0.contains(" done ") && !$0.contains(" - ") }.count == 3,
                "siamon runs: \(listed.stdout)")
        // compare --sweep finds the same runs and prints the same table.
        let compared = try CLIRunner.run(["compare", "--sweep", "ablations", "--print", "--runs", runs.path], environment: env)
        #expect(compared.status == 0, "stderr: \(compared.stderr)")
        #expect(Self.tableRows(compared.stdout, "ablations-").map { $0[0] } == rows.map { $0[0] })
    }

    static let realPresets = CLIRunner.repoRoot.appendingPathComponent("runs/presets")
    static var haveAblationPresets: Bool { FileManager.default.fileExists(atPath: realPresets.appendingPathComponent("ablation-a.json").path) }

    /// The committed ablation-a … j, two at a time, 2 steps each: every row trains, is probed, and its Table 3
    /// row shows the switches its preset sets (read from the preset JSON here, defaults for missing keys).
    @Test(.enabled(if: haveAblationPresets, "runs/presets/ablation-*.json are not here yet"))
    func realAblationPresetsSweepTwoAtATime() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-real-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        let r = try CLIRunner.run(["train", "--sweep", "ablations", "--runs", runs.path, "--parallel", "2", "--set", "train.steps=2",
                                   "--set", "train.batch_size=8", "--probe-limit", "100", "--headless"], timeout: 240)
        #expect(r.status == 0, "exit \(r.status)\nstdout: \(r.stdout)\nstderr: \(r.stderr)")
        let rows = Self.tableRows(r.stdout, "ablations-")
        let presets = try FileManager.default.contentsOfDirectory(atPath: Self.realPresets.path)
            .filter { $0.hasPrefix("ablation-") && $0.hasSuffix(".json") }.sorted()
        #expect(rows.count == presets.count && presets.count == 10, "rows \(rows.count), presets \(presets)")
        let keys = [("model", "target", "feature"), ("augment", "views", "different"), ("augment", "color_aug", "on"),
                    ("mask", "kind", "blockwise"), ("model", "projector_norm", "bn"), ("model", "decoder_norm", "bn"),
                    ("loss", "norm", "mae"), ("loss", "kind", "dense")]
        for (row, file) in zip(rows, presets) {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.realPresets.appendingPathComponent(file))) as? [String: Any])
            let expected = keys.map { k in ((json[k.0] as? [String: Any])?[k.1] as? String) ?? k.2 }
            #expect(Array(row[1...8]) == expected, "\(file): table \(row[1...8]) vs preset \(expected)")
            #expect(row[9].hasSuffix("*") && Double(row[9].dropLast()) != nil, "\(file): no probe in \(row)")
            #expect(Double(row[11])?.isFinite == true, "\(file): final loss \(row[11])")
        }
        let db = try MetricsDatabase(path: runs.appendingPathComponent("siamon.sqlite").path, mode: .readOnly)
        defer { db.close() }
        #expect(try db.runs().allSatisfy { $0.status == .done && $0.steps == 2 && $0.latestProbe != nil })
    }

    /// Ctrl-C checkpoints the live run and starts none of the queued ones; the exit status says it is incomplete.
    @Test func interruptCheckpointsTheLiveRunAndDropsTheQueue() throws {
        let presets = try Self.presets(), runs = presets.appendingPathComponent("runs")
        defer { try? FileManager.default.removeItem(at: presets) }
        let child = try CLIRunner.start(["train", "--sweep", "ablations", "--runs", runs.path, "--headless",
                                         "--set", "train.steps=2000", "--set", "train.batch_size=8", "--set", "train.checkpoint_every=0"],
                                        environment: ["SIAMON_PRESETS": presets.path])
        let deadline = Date().addingTimeInterval(60)
        while !child.stdoutSoFar.contains("started ablations-a-") && Date() < deadline { usleep(100_000) }
        Thread.sleep(forTimeInterval: 1.5)
        kill(child.pid, SIGINT)
        let r = CLIRunner.wait(child, timeout: 60)
        #expect(r.status == 1 && !r.timedOut, "exit \(r.status)\nstdout: \(r.stdout)\nstderr: \(r.stderr)")
        #expect(r.stdout.contains("interrupted: live runs checkpointed"), "stdout: \(r.stdout)")
        #expect(r.stderr.contains("3 of 3 runs did not finish"), "stderr: \(r.stderr)")
        let db = try MetricsDatabase(path: runs.appendingPathComponent("siamon.sqlite").path, mode: .readOnly)
        defer { db.close() }
        let all = try db.runs()
        #expect(all.map(\.preset) == ["ablation-a"], "queued runs must not start after Ctrl-C")
        let a = try #require(all.first)
        #expect(a.status == .stopped && a.steps > 0 && a.steps < 2000)
        let files = try FileManager.default.contentsOfDirectory(atPath: runs.appendingPathComponent(a.name).path)
        #expect(files.contains("checkpoint-\(a.steps).safetensors"), "no checkpoint at the stop step \(a.steps): \(files)")
    }

    @Test func badSweepsFailWithOneLine() throws {
        let presets = try Self.presets()
        defer { try? FileManager.default.removeItem(at: presets) }
        let runs = presets.appendingPathComponent("runs").path
        let cases: [([String], [String: String], String)] = [
            (["train", "--sweep", "nope", "--headless", "--runs", runs], ["SIAMON_PRESETS": presets.path], "unknown sweep 'nope'; known sweeps: ablations"),
            (["train", "--sweep", "ablations", "--headless", "--runs", runs], ["SIAMON_PRESETS": runs], "sweep 'ablations' has no presets"),
            (["train", "--sweep", "ablations", "--headless", "--parallel", "3", "--runs", runs], ["SIAMON_PRESETS": presets.path], "--parallel must be 1 or 2"),
            (["train", "--sweep", "ablations", "--headless", "--set", "train.nope=1", "--runs", runs], ["SIAMON_PRESETS": presets.path], "train.nope"),
            (["compare", "--sweep", "ablations", "--print", "--runs", runs], [:], "no runs yet"),
        ]
        for (args, env, message) in cases {
            let r = try CLIRunner.run(args, timeout: 30, environment: env)
            #expect(r.status != 0, "\(args) exited 0")
            #expect(r.stderr.contains(message), "\(args): stderr \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"))
        }
        #expect(!FileManager.default.fileExists(atPath: runs + "/siamon.sqlite"), "a failed sweep must not create runs")
    }
}
