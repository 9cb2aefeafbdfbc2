import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Testing
import TestSupport

/// Every way out of `siamon train --headless` leaves a clean run (a checkpoint and a final status) and says how
/// it ended in the exit code; one process writes a run; a resumed run is one trajectory.
@Suite(.serialized) struct HeadlessExitTests {
    static let long = ["--preset", "smoke", "--headless", "--set", "data.source=synthetic", "--set", "train.steps=3000",
                       "--set", "train.checkpoint_every=5", "--set", "train.log_every=1"]

    static func scratch(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    }

    static func run(_ runs: URL, _ name: String) throws -> RunSummary {
        let d = try MetricsDatabase(path: runs.appendingPathComponent("siamon.sqlite").path, mode: .readOnly)
        defer { d.close() }
        return try d.run(named: name)
    }

    /// SIGINT, SIGTERM and SIGHUP: checkpoint, status stopped, exit 128 + the signal.
    @Test(arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")])
    func signalsStopCleanly(sig: Int32, label: String) throws {
        let runs = Self.scratch("sig"), db = runs.appendingPathComponent("siamon.sqlite").path
        defer { try? FileManager.default.removeItem(at: runs) }
        let child = try CLIRunner.start(["train", "--runs", runs.path, "--name", "s"] + Self.long)
        #expect(ControlCLITests.waitFor(120) { ControlCLITests.maxStep(db) >= 2 })
        kill(child.pid, sig)
        let r = CLIRunner.wait(child, timeout: 60)
        #expect(r.status == 128 + sig, "\(label): exit \(r.status), \(r.stderr)")
        #expect(r.stdout.contains("stopped (\(label)) at step"), "\(r.stdout)")
        let summary = try Self.run(runs, "s")
        #expect(summary.status == .stopped)
        #expect(Checkpoint.latest(in: runs.appendingPathComponent("s"))?.step == summary.steps)
    }

    /// A closed stdout (`| head -1`): the run stops cleanly with exit 141, not killed mid-step by SIGPIPE.
    @Test func aClosedStdoutStopsCleanly() throws {
        let runs = Self.scratch("pipe")
        defer { try? FileManager.default.removeItem(at: runs) }
        let cmd = "\(CLIRunner.executable) train --runs \(runs.path) --name p \(Self.long.joined(separator: " ")) | head -1; "
            + "echo \"${PIPESTATUS[0]}\""
        var env = ProcessInfo.processInfo.environment
        env["SIAMON_PRESETS"] = CLIRunner.repoRoot.appendingPathComponent("runs/presets").path
        let r = spawnAndWait("/bin/bash", ["-c", cmd], environment: env, timeout: 180)
        #expect(r.stdout.split(separator: "\n").last == "141", "\(r.stdout) \(r.stderr)")
        let summary = try Self.run(runs, "p")
        #expect(summary.status == .stopped)
        #expect(Checkpoint.latest(in: runs.appendingPathComponent("p"))?.step == summary.steps)
    }

    /// `--resume` of a run another process is training is refused, naming the owner; the owner is untouched.
    @Test func resumeOfALiveRunIsRefused() throws {
        let runs = Self.scratch("own"), db = runs.appendingPathComponent("siamon.sqlite").path
        defer { try? FileManager.default.removeItem(at: runs) }
        let child = try CLIRunner.start(["train", "--runs", runs.path, "--name", "live"] + Self.long)
        defer { kill(child.pid, SIGKILL); _ = CLIRunner.wait(child, timeout: 10) }
        #expect(ControlCLITests.waitFor(120) { ControlCLITests.maxStep(db) >= 1 })
        let second = try CLIRunner.run(["train", "--runs", runs.path, "--name", "live", "--resume"] + Self.long, timeout: 120)
        #expect(second.status != 0)
        #expect(second.stderr.contains("is being trained by pid \(child.pid) on this host"), "\(second.stderr)")
        let before = ControlCLITests.maxStep(db)
        #expect(ControlCLITests.waitFor(60) { ControlCLITests.maxStep(db) > before }, "the owner stopped training")
        #expect(try Self.run(runs, "live").status == .running)
    }

    /// kill -9 past a checkpoint, then `--resume` with fewer steps: the rows of the abandoned attempt are gone,
    /// and the run ends done at its new last step. An imported run cannot be resumed, nor one with no checkpoint.
    @Test func resumeIsOneTrajectory() throws {
        let runs = Self.scratch("traj"), db = runs.appendingPathComponent("siamon.sqlite").path
        defer { try? FileManager.default.removeItem(at: runs) }
        let child = try CLIRunner.start(["train", "--runs", runs.path, "--name", "t"] + Self.long)
        #expect(ControlCLITests.waitFor(120) { ControlCLITests.maxStep(db) >= 12 })
        kill(child.pid, SIGKILL)
        _ = CLIRunner.wait(child, timeout: 10)
        let ckpt = try #require(Checkpoint.latest(in: runs.appendingPathComponent("t"))?.step)
        let resumed = try CLIRunner.run(["train", "--runs", runs.path, "--name", "t", "--resume", "--preset", "smoke", "--headless",
                                         "--set", "data.source=synthetic", "--set", "train.steps=\(ckpt + 2)"], timeout: 180)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try Self.run(runs, "t")
        #expect(summary.status == .done && summary.steps == ckpt + 2, "\(summary)")
        let export = try CLIRunner.run(["export", "t", "--format", "csv", "--runs", runs.path])
        let steps = export.stdout.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: ",")[0]) }
        #expect(steps == Array(0..<(ckpt + 2)), "rows of the abandoned attempt remain: \(steps)")
        // steps.jsonl is flushed once a second, so kill -9 may have cost it its last lines before the checkpoint;
        // what must hold is one trajectory: increasing steps, none from the abandoned attempt, the resumed ones last.
        let lines = try String(contentsOf: runs.appendingPathComponent("t/steps.jsonl"), encoding: .utf8).split(separator: "\n")
        let logged = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["step"] as? Int
        }
        #expect(logged.count == lines.count && logged == logged.sorted() && Set(logged).count == logged.count, "\(logged)")
        #expect(logged.suffix(2) == [ckpt, ckpt + 1], "\(logged)")

        let csv = runs.appendingPathComponent("h.csv")
        try "step,wall_time,loss\n0,1,1.0\n1,2,0.9\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(try CLIRunner.run(["import", csv.path, "--name", "imp", "--runs", runs.path]).status == 0)
        let imp = try CLIRunner.run(["train", "--runs", runs.path, "--name", "imp", "--resume", "--preset", "smoke", "--headless"])
        #expect(imp.status != 0 && imp.stderr.contains("imported run"), "\(imp.stderr)")
    }
}
