import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Testing
import TestSupport

/// `siamon ctl` against a headless run in another process: pause (no new steps for 3 s), resume, lr-scale
/// (the logged lr is 1.25× the plan), checkpoint (a new file), stop (status stopped, final checkpoint, exit 3).
@Suite(.serialized) struct ControlCLITests {
    static let overrides = ["--set", "data.source=synthetic", "--set", "train.steps=5000", "--set", "train.checkpoint_every=100000",
                            "--set", "train.log_every=1000"]

    static func maxStep(_ db: String) -> Int {
        guard let d = try? MetricsDatabase(path: db, mode: .readOnly) else { return -1 }
        defer { d.close() }
        return ((try? d.runs())?.map(\.steps).max() ?? 0) - 1
    }

    static func waitFor(_ seconds: Double, _ f: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { if f() { return true }; usleep(50_000) }
        return f()
    }

    static func ctl(_ runs: URL, _ args: String...) throws -> CLIRunner.Result {
        try CLIRunner.run(["ctl", "--runs", runs.path, "ctl-run"] + args, timeout: 120)
    }

    @Test func pauseResumeScaleCheckpointStopAnotherProcess() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        let db = runs.appendingPathComponent("siamon.sqlite").path
        let child = try CLIRunner.start(["train", "--preset", "smoke", "--headless", "--runs", runs.path, "--name", "ctl-run"] + Self.overrides)
        defer { kill(child.pid, SIGKILL) }
        #expect(Self.waitFor(120) { Self.maxStep(db) >= 2 }, "the run did not start: \(child.stdoutSoFar)")

        let pause = try Self.ctl(runs, "pause")
        #expect(pause.status == 0 && pause.stdout.contains("applied"), "\(pause.stdout) \(pause.stderr)")
        Thread.sleep(forTimeInterval: 0.5)
        let atPause = Self.maxStep(db)
        Thread.sleep(forTimeInterval: 3)
        #expect(Self.maxStep(db) == atPause, "steps were written while paused")
        let again = try Self.ctl(runs, "pause")
        #expect(again.status == 1 && again.stderr.contains("already paused"), "\(again.stderr)")

        let resume = try Self.ctl(runs, "resume")
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(Self.waitFor(60) { Self.maxStep(db) > atPause + 1 }, "no steps after resume")

        let scale = try Self.ctl(runs, "lr-scale", "1.25")
        #expect(scale.status == 0, "\(scale.stderr)")
        let from = try #require(scale.stdout.range(of: #"from step (\d+)"#, options: .regularExpression)
            .map { Int(scale.stdout[$0].split(separator: " ").last!)! })
        #expect(Self.waitFor(60) { Self.maxStep(db) >= from + 2 })
        try expectScaledLR(db: db, from: from, factor: 1.25)

        let ck = try Self.ctl(runs, "checkpoint")
        #expect(ck.status == 0, "\(ck.stderr)")
        let saved = try #require(ck.stdout.range(of: #"checkpoint-\d+"#, options: .regularExpression).map { String(ck.stdout[$0]) })
        #expect(FileManager.default.fileExists(atPath: runs.appendingPathComponent("ctl-run/\(saved).safetensors").path))

        let stop = try Self.ctl(runs, "stop")
        #expect(stop.status == 0, "\(stop.stderr)")
        let ended = CLIRunner.wait(child, timeout: 60)
        #expect(ended.status == 3, "headless exit \(ended.status): \(ended.stdout)")
        #expect(ended.stdout.contains("stopped (by a command)"), "\(ended.stdout)")
        let d = try MetricsDatabase(path: db, mode: .readOnly)
        defer { d.close() }
        let run = try d.run(named: "ctl-run")
        #expect(run.status == .stopped)
        #expect(Checkpoint.latest(in: runs.appendingPathComponent("ctl-run"))?.step == run.steps)
        let answered = try d.events(runId: run.id).compactMap { RunEvent(kind: $0.kind, detail: $0.detail)?.commandId }
        #expect(answered.count == 5, "events naming a command: \(answered)")
        let late = try Self.ctl(runs, "pause")
        #expect(late.status == 1 && late.stderr.contains("run is stopped"), "\(late.stderr)")
    }

    /// lr(step) = 1.25 × the planned lr for every logged step from `from` on.
    func expectScaledLR(db: String, from: Int, factor: Double) throws {
        let d = try MetricsDatabase(path: db, mode: .readOnly)
        defer { d.close() }
        let run = try d.run(named: "ctl-run")
        let config = try Presets.load(nameOrPath: "smoke").applying(overrides: ["data.source=synthetic", "train.steps=5000"])
        let schedule = Schedule(config: config, stepsPerEpoch: DataSources.syntheticCount[.train]! / config.train.batchSize)
        let lrs = try d.points(runId: run.id, key: "lr").filter { $0.step >= from }
        #expect(!lrs.isEmpty)
        for p in lrs {
            let planned = schedule.learningRate(step: p.step)
            #expect(abs(p.value - factor * planned) <= 1e-12 * max(1, abs(planned)), "step \(p.step): \(p.value) vs \(factor) × \(planned)")
        }
        let before = try d.points(runId: run.id, key: "lr").filter { $0.step < from && $0.step > from - 3 }
        for p in before { #expect(abs(p.value - schedule.learningRate(step: p.step)) <= 1e-12, "step \(p.step) scaled too early") }
    }

    /// The owner is frozen (SIGSTOP) with a command pending, then killed: the command expires with the owner's
    /// last heartbeat, later commands are refused, and the store still opens.
    @Test func ownerKilledWithCommandsPendingExpiresThem() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        let db = runs.appendingPathComponent("siamon.sqlite").path
        let child = try CLIRunner.start(["train", "--preset", "smoke", "--headless", "--runs", runs.path, "--name", "ctl-run"] + Self.overrides)
        #expect(Self.waitFor(120) { Self.maxStep(db) >= 1 })
        kill(child.pid, SIGSTOP)
        let sent = try Self.ctl(runs, "pause", "--no-wait")
        #expect(sent.status == 0 && sent.stdout.contains("command"), "\(sent.stderr)")
        kill(child.pid, SIGKILL)
        _ = CLIRunner.wait(child, timeout: 10)
        let refused = try Self.ctl(runs, "resume")
        #expect(refused.status == 1 && refused.stderr.contains("run is interrupted"), "\(refused.stderr)")
        let d = try MetricsDatabase(path: db)
        defer { d.close() }
        _ = try d.markVanishedWriters()
        let run = try d.run(named: "ctl-run")
        #expect(run.status == .interrupted)
        let commands = try d.commands(runId: run.id)
        #expect(commands.first?.state == .expired && commands.first?.result?.hasPrefix("owner not responding since") == true,
                "\(commands)")
    }
}
