import Foundation
import MetricsStore
import RunCore
import Testing
import TestSupport
import TUI

/// Headless training and the TUI run the same loop (TrainerHost): the same preset and seed give bit-identical
/// losses, whichever front end started the run.
@Suite(.serialized) struct OneLoopTests {
    static let sets = ["data.source=synthetic", "train.steps=6", "train.checkpoint_every=3"]

    static func losses(_ dir: URL) throws -> [UInt64] {
        try String(contentsOf: dir.appendingPathComponent("steps.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(obj["loss"] as? Double).bitPattern
        }
    }

    @Test func headlessAndTUIGiveBitIdenticalLosses() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("oneloop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runs) }
        let headless = try CLIRunner.run(["train", "--preset", "smoke", "--headless", "--runs", runs.path, "--name", "cli"]
                                         + Self.sets.flatMap { ["--set", $0] }, timeout: 300)
        #expect(headless.status == 0, "\(headless.stdout) \(headless.stderr)")

        setenv("SIAMON_PRESETS", CLIRunner.repoRoot.appendingPathComponent("runs/presets").path, 1)
        let path = runs.appendingPathComponent("siamon.sqlite").path
        let driver = LiveDriver(runsDirectory: runs, databasePath: path)
        let overrides = Dictionary(uniqueKeysWithValues: Self.sets.map { s in
            (String(s.split(separator: "=")[0]), String(s.split(separator: "=")[1]))
        })
        driver.perform(.startRun(preset: "smoke", name: "tui", overrides: overrides))
        var done = false
        let deadline = Date().addingTimeInterval(300)
        while !done && Date() < deadline {
            for case .runs(let rows) in driver.poll(now: Date().timeIntervalSince1970) {
                done = rows.contains { $0.id == "tui" && $0.status == .done }
            }
            usleep(50_000)
        }
        driver.perform(.quit(stopRunning: true))
        #expect(done, "the TUI's run did not finish")
        let a = try Self.losses(runs.appendingPathComponent("cli")), b = try Self.losses(runs.appendingPathComponent("tui"))
        #expect(a.count == 6)
        #expect(a == b, "headless \(a.map { Double(bitPattern: $0) }) vs TUI \(b.map { Double(bitPattern: $0) })")
    }
}
