import Foundation
import Synchronization
import ViT
import RunCore
import Testing
@testable import SiamTrain

/// Everything a host reports, for the fault tests.
final class RecordingSink: ReportSink, @unchecked Sendable {
    private let lock = Mutex<(steps: [Int], events: [(kind: String, detail: String)], statuses: [String], reports: [StepReport])>(([], [], [], []))
    func record(_ report: StepReport) { lock.withLock { $0.steps.append(report.step); $0.reports.append(report) } }
    func event(step: Int, _ e: RunEvent) { lock.withLock { $0.events.append((e.kind.rawValue, e.detailJSON)) } }
    func statusChanged(_ status: RunStatus) { lock.withLock { $0.statuses.append(status.rawValue) } }
    func checkpoint(step: Int, path: String, bytes: Int) {}
    func probe(step: Int, linear: Double?, knn: Double?, protocolName: String) {}
    var steps: [Int] { lock.withLock { $0.steps } }
    var eventKinds: [String] { lock.withLock { $0.events.map(\.kind) } }
    var events: [(kind: String, detail: String)] { lock.withLock { $0.events } }
    var reports: [StepReport] { lock.withLock { $0.reports } }
}

/// Blows the online weights up to NaN right after step `step` has been recorded, once, on the trainer thread
/// (as a learning-rate spike would): the next forward pass gives a NaN loss, and its EMA update poisons the target.
final class PoisonSink: ReportSink, @unchecked Sendable {
    let step: Int
    // Trainer thread only: set by the host's factory, read by `record`.
    private var network: SiameseNetwork?
    init(afterStep step: Int) { self.step = step }
    func attach(_ session: TrainingSession) { network = session.trainer.network }
    func record(_ report: StepReport) {
        guard report.step == step, let net = network else { return }
        network = nil
        net.params.pointer.update(repeating: .nan, count: net.params.count)
    }
}

/// A tmpfs can be mounted here (root with CAP_SYS_ADMIN); probed once.
let canMountTmpfs: Bool = {
    guard getuid() == 0, let dir = try? makeRunDir("tmpfs-probe") else { return false }
    defer { try? FileManager.default.removeItem(at: dir) }
    guard mount("tmpfs", dir.path, "tmpfs", 0, "size=1m") == 0 else { return false }
    umount2(dir.path, Int32(MNT_DETACH))
    return true
}()

@Suite("TrainerHost faults: full disk, non-finite loss", .serialized)
struct TrainerHostFaultTests {
    /// The smoke preset on synthetic data, narrowed to dim 32 so three checkpoints (about 1 MB each) fit the tmpfs.
    static func config(steps: Int, checkpointEvery: Int) throws -> RunConfig {
        try Presets.load(nameOrPath: "smoke", presetsDir: presetsDir).applying(overrides: [
            "data.source=synthetic", "model.dim=32", "train.steps=\(steps)", "train.checkpoint_every=\(checkpointEvery)",
            "train.snapshot_every=0"])
    }

    /// Joins the host, stopping it first if it is still live, so a failing test never hangs.
    static func finish(_ host: TrainerHost) {
        if host.status.isLive { host.send(.stop) }
        host.join()
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { if condition() { return true }; usleep(20_000) }
        return condition()
    }

    /// Fills the filesystem holding `dir` until a write fails; returns the filler file.
    static func fill(_ dir: URL) -> URL {
        let filler = dir.appendingPathComponent("filler")
        let fd = open(filler.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let chunk = [UInt8](repeating: 7, count: 64 << 10)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return filler
    }

    @Test(.enabled(if: canMountTmpfs, "needs root and mount(2) to put the run on a small tmpfs"))
    func aFullDiskPausesTheRunAndItResumesWhenSpaceReturns() throws {
        let mnt = try makeRunDir("diskfull")
        #expect(mount("tmpfs", mnt.path, "tmpfs", 0, "size=32m") == 0)
        defer { umount2(mnt.path, Int32(MNT_DETACH)); try? FileManager.default.removeItem(at: mnt) }
        let runDir = mnt.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runDir, withIntermediateDirectories: true)
        let filler = Self.fill(mnt)
        let sink = RecordingSink()
        let c = try Self.config(steps: 8, checkpointEvery: 2)
        let host = TrainerHost(name: "diskfull", diskRetryInterval: 0.2) {
            try TrainingSession(name: "diskfull", config: c, runDirectory: runDir, sinks: [sink], resume: false)
        }
        host.start()
        #expect(Self.waitFor(120) { sink.eventKinds.contains("disk_full") }, "no disk_full event: \(sink.eventKinds)")
        #expect(host.status.phase == .paused)
        #expect(host.status.error?.contains("disk full") == true)
        if host.status.phase != .paused { try? FileManager.default.removeItem(at: filler); Self.finish(host); return }
        let stepAtPause = host.status.step
        usleep(1_000_000)   // five retries, all failing: the run must stay paused at the same step
        #expect(host.status.phase == .paused && host.status.step == stepAtPause)
        #expect(!sink.eventKinds.contains("checkpoint_failed"))
        try FileManager.default.removeItem(at: filler)
        #expect(Self.waitFor(120) { host.status.phase == .done }, "phase \(host.status.phase), events \(sink.eventKinds)")
        Self.finish(host)
        #expect(sink.events.contains { $0.kind == "resume" && $0.detail.contains("disk_space") })
        #expect(sink.eventKinds.last == "done")
        #expect(sink.steps == Array(0..<8), "every step reported exactly once")
        #expect(Checkpoint.latest(in: runDir)?.step == 8)
    }

    /// Stopping while the disk is full ends the run with a `checkpoint_failed` event; checkpoint-2 (written
    /// before the disk filled) stays the newest.
    @Test(.enabled(if: canMountTmpfs, "needs root and mount(2) to put the run on a small tmpfs"))
    func stoppingWhileTheDiskIsFullKeepsThePreviousCheckpoint() throws {
        let mnt = try makeRunDir("diskfullstop")
        #expect(mount("tmpfs", mnt.path, "tmpfs", 0, "size=32m") == 0)
        defer { umount2(mnt.path, Int32(MNT_DETACH)); try? FileManager.default.removeItem(at: mnt) }
        let runDir = mnt.appendingPathComponent("run")
        let sink = RecordingSink()
        let c = try Self.config(steps: 8, checkpointEvery: 2)
        let host = TrainerHost(name: "diskfullstop", diskRetryInterval: 0.2) {
            try TrainingSession(name: "diskfullstop", config: c, runDirectory: runDir, sinks: [sink], resume: false)
        }
        host.start()
        #expect(Self.waitFor(120) { Checkpoint.latest(in: runDir) != nil })
        host.send(.pause)
        #expect(Self.waitFor(60) { host.status.phase == .paused })
        _ = Self.fill(mnt)
        let kept = Checkpoint.latest(in: runDir)?.step
        let before = snapshot(runDir)
        host.send(.stop)
        host.join()
        #expect(host.status.phase == .stopped)
        #expect(sink.eventKinds.suffix(2) == ["checkpoint_failed", "stop"])
        #expect(host.status.error?.contains("disk full") == true)
        #expect(Checkpoint.latest(in: runDir)?.step == kept)
        #expect(snapshot(runDir) == before)
    }

    /// Pixels normalised with a NaN mean make every loss NaN: the host pauses with a `nan` event, and neither
    /// waiting nor stopping writes a checkpoint over the last good one.
    @Test func aNonFiniteLossPausesAndKeepsTheLastGoodCheckpoint() throws {
        let runDir = try makeRunDir("nanhost")
        defer { try? FileManager.default.removeItem(at: runDir) }
        let good = try Self.config(steps: 4, checkpointEvery: 2)
        let first = TrainerHost(name: "nan") {
            try TrainingSession(name: "nan", config: good, runDirectory: runDir, sinks: [], resume: false)
        }
        first.start(); first.join()
        #expect(first.status.phase == .done)
        #expect(Checkpoint.latest(in: runDir)?.step == 4)
        let before = snapshot(runDir)

        var config = try Self.config(steps: 8, checkpointEvery: 1)
        config.data.mean = [Float.nan]
        let poisoned = config
        let sink = RecordingSink()
        let host = TrainerHost(name: "nan") {
            try TrainingSession(name: "nan", config: poisoned, runDirectory: runDir, sinks: [sink], resume: true)
        }
        host.start()
        let paused = Self.waitFor(120) { host.status.phase == .paused }
        #expect(paused)
        if !paused { Self.finish(host); return }
        #expect(sink.eventKinds.contains("nan"))
        #expect(host.status.error?.contains("non-finite loss at step 4") == true)
        #expect(sink.steps == [4], "paused right after the first NaN step")
        usleep(300_000)
        #expect(host.status.phase == .paused && sink.steps == [4])
        host.send(.checkpoint)
        host.send(.stop)
        host.join()
        #expect(host.status.phase == .stopped)
        #expect(sink.eventKinds.filter { $0 == "checkpoint_skipped" }.count == 2)
        #expect(snapshot(runDir) == before, "the last good checkpoint is untouched")
        #expect(Checkpoint.latest(in: runDir)?.step == 4)
    }

    /// An 8-step run whose weights a PoisonSink sets to NaN after `afterStep`, started and waited for until it
    /// pauses on the non-finite loss; nil (with a recorded failure) if it never pauses.
    static func pausedOnPoison(_ name: String, _ runDir: URL, checkpointEvery: Int,
                               afterStep: Int) throws -> (TrainerHost, RecordingSink)? {
        let c = try config(steps: 8, checkpointEvery: checkpointEvery)
        let sink = RecordingSink(), poison = PoisonSink(afterStep: afterStep)
        let host = TrainerHost(name: name) {
            let s = try TrainingSession(name: name, config: c, runDirectory: runDir, sinks: [sink, poison], resume: false)
            poison.attach(s)
            return s
        }
        host.start()
        let paused = waitFor(120) { host.status.phase == .paused }
        #expect(paused)
        if !paused { finish(host); return nil }
        return (host, sink)
    }

    /// Weights poisoned after step 4 make step 5's loss NaN. `resume` goes back to checkpoint-4 (online and
    /// target weights, AdamW state, data position), keeps the LR scale lowered while paused, and the run ends.
    @Test func resumingAfterANonFiniteLossRollsBackToTheLastCheckpoint() throws {
        let runDir = try makeRunDir("nanrollback")
        defer { try? FileManager.default.removeItem(at: runDir) }
        guard let (host, sink) = try Self.pausedOnPoison("nanrollback", runDir, checkpointEvery: 2, afterStep: 4) else { return }
        #expect(sink.steps == [0, 1, 2, 3, 4, 5])
        #expect(Checkpoint.latest(in: runDir)?.step == 4)
        host.send(.scaleLearningRate(0.5))
        host.send(.resume)
        let ended = Self.waitFor(120) { host.status.phase == .done || sink.eventKinds.filter { $0 == "nan" }.count > 1 }
        Self.finish(host)
        #expect(ended && host.status.phase == .done, "phase \(host.status.phase), events \(sink.eventKinds)")
        #expect(sink.steps == [0, 1, 2, 3, 4, 5, 4, 5, 6, 7])
        let rollback = sink.events.first { $0.kind == "rollback" }
        let decoded = rollback.flatMap { RunEvent(kind: $0.kind, detail: $0.detail) }
        #expect(decoded == .rollback(RunEvent.Rollback(fromStep: 6, toStep: 4, reason: "non-finite loss")), "\(sink.events)")
        #expect(sink.eventKinds.filter { $0 == "nan" }.count == 1)
        let reports = sink.reports
        #expect(reports.count == 10 && reports[6...].allSatisfy { $0.loss.isFinite }, "\(reports.map(\.loss))")
        if reports.count == 10 {
            // The same weights and batch as the first step 4, at half the learning rate.
            #expect(abs(reports[6].loss - reports[4].loss) <= 1e-4 * abs(reports[4].loss), "\(reports[4].loss) vs \(reports[6].loss)")
            #expect(abs(reports[6].learningRate - reports[4].learningRate / 2) <= 1e-12 * reports[4].learningRate)
        }
        #expect(Checkpoint.latest(in: runDir)?.step == 8)
    }

    /// With no checkpoint to go back to, `resume` after a NaN says so and the run stays paused on its bad weights.
    @Test func resumingAfterANonFiniteLossWithoutACheckpointStaysPaused() throws {
        let runDir = try makeRunDir("nannockpt")
        defer { try? FileManager.default.removeItem(at: runDir) }
        guard let (host, sink) = try Self.pausedOnPoison("nannockpt", runDir, checkpointEvery: 0, afterStep: 1) else { return }
        host.send(.resume)
        usleep(500_000)
        #expect(host.status.phase == .paused && sink.steps == [0, 1, 2], "\(sink.steps)")
        let error = host.status.error ?? ""
        #expect(error.contains("non-finite loss at step 2 and no checkpoint to go back to") && error.contains("still paused"), "\(error)")
        #expect(!error.contains("\n"))
        #expect(!sink.eventKinds.contains("rollback") && !sink.eventKinds.contains("resume"), "\(sink.eventKinds)")
        host.send(.stop)
        host.join()
        #expect(host.status.phase == .stopped)
        #expect(Checkpoint.steps(in: runDir).isEmpty)
    }
}
