import Foundation
import Synchronization
import Tensor

/// What the UI can ask of a running trainer (design.md §2: the command mailbox).
public enum TrainerCommand: Sendable, Equatable {
    case pause, resume, stop
    case scaleLearningRate(Double)   // multiplies the current LR scale
    case checkpoint
}

/// The host's view of its run, readable from any thread.
public struct HostStatus: Sendable, Equatable {
    public enum Phase: String, Sendable { case starting, running, paused, done, stopped, failed }
    public var phase: Phase = .starting
    public var step = 0
    public var totalSteps = 0
    public var lastReport: StepReport?
    public var learningRateScale = 1.0
    public var error: String?
    public var isLive: Bool { phase == .starting || phase == .running || phase == .paused }
}

/// A trainer on its own thread with a command mailbox (design.md §2). The session is built on the thread,
/// so loading a dataset never blocks the caller. A non-finite loss pauses the run with a `nan` event.
/// A checkpoint that hits a full disk pauses the run with a `disk_full` event (issue 8: pause, never die);
/// the host retries the checkpoint every `diskRetryInterval` seconds and resumes by itself (a `resume` event
/// with reason "disk_space") once one is written. Metrics are not at risk meanwhile: the store writer keeps
/// its batch and retries on its own.
public final class TrainerHost: @unchecked Sendable {
    public let name: String
    public let diskRetryInterval: Double
    private let factory: @Sendable () throws -> TrainingSession
    private let mailbox = Mutex<[TrainerCommand]>([])
    private let state = Mutex(HostStatus())
    private let wake = NSCondition()
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?
    // Trainer thread only: when paused by a full disk, the time of the next checkpoint attempt.
    private var diskRetryAt: Date?
    // Trainer thread only: set by a non-finite loss. The weights after that step are suspect, so no checkpoint
    // is written any more (stop, quit and the checkpoint command included): the last good one stays the newest.
    private var nonFinite = false

    public init(name: String, diskRetryInterval: Double = 5, factory: @escaping @Sendable () throws -> TrainingSession) {
        self.name = name
        self.diskRetryInterval = diskRetryInterval
        self.factory = factory
    }

    public var status: HostStatus { state.withLock { $0 } }

    public func start() {
        let t = Thread { [self] in self.main(); self.finished.signal() }
        t.name = "trainer-\(name)"
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    public func send(_ command: TrainerCommand) {
        mailbox.withLock { $0.append(command) }
        wake.lock(); wake.signal(); wake.unlock()
    }

    /// Blocks until the thread has ended (tests, headless runs, quit).
    public func join() { finished.wait(); finished.signal() }

    private func update(_ f: (inout HostStatus) -> Void) { state.withLock { f(&$0) } }

    private func main() {
        let session: TrainingSession
        do { session = try factory() } catch {
            update { $0.phase = .failed; $0.error = "\(error)" }
            return
        }
        defer { session.close() }
        update { $0.phase = .running; $0.step = session.step; $0.totalSteps = session.totalSteps }
        session.status("running")
        var paused = false
        while true {
            for command in mailbox.withLock({ m in defer { m.removeAll() }; return m }) {
                if handle(command, session: session, paused: &paused) == .stop { return }
            }
            if paused {
                if let at = diskRetryAt, Date() >= at { retryAfterDiskFull(session, paused: &paused) }
                wake.lock(); _ = wake.wait(until: Date().addingTimeInterval(min(0.1, diskRetryInterval))); wake.unlock()
                continue
            }
            if session.isFinished {
                // The final checkpoint; on a full disk the run waits for space instead of ending without it.
                if session.lastCheckpointStep != session.step, checkpoint(session) == .diskFull {
                    pauseForDisk(session, paused: &paused); continue
                }
                break
            }
            let report = session.runStep()
            update { $0.step = session.step; $0.lastReport = report }
            if !report.loss.isFinite {
                session.event("nan", detail: "{\"loss\":\"\(report.loss)\"}")
                nonFinite = true
                paused = true
                session.status("paused")
                update { $0.phase = .paused; $0.error = "non-finite loss at step \(report.step); paused" }
                continue
            }
            if session.shouldCheckpoint(), checkpoint(session) == .diskFull { pauseForDisk(session, paused: &paused) }
        }
        session.event("done")
        session.status("done")
        update { $0.phase = .done }
    }

    private enum Outcome { case proceed, stop }

    private func handle(_ command: TrainerCommand, session: TrainingSession, paused: inout Bool) -> Outcome {
        switch command {
        case .pause where !paused:
            paused = true; session.event("pause"); session.status("paused"); update { $0.phase = .paused }
        case .resume where paused:
            // Resuming by hand also ends a disk-full wait; the next checkpoint tries the disk again.
            paused = false; diskRetryAt = nil
            session.event("resume"); session.status("running"); update { $0.phase = .running; $0.error = nil }
        case .stop:
            if checkpoint(session) == .diskFull { reportDiskFull(session) }
            session.event("stop"); session.status("stopped"); update { $0.phase = .stopped }
            return .stop
        case .scaleLearningRate(let f):
            let scale = session.trainer.learningRateScale * f
            session.trainer.learningRateScale = scale
            session.event("lr_scale", detail: "{\"factor\":\(f),\"scale\":\(scale)}")
            update { $0.learningRateScale = scale }
        case .checkpoint:
            if checkpoint(session) == .diskFull { reportDiskFull(session) }
        default: break
        }
        return .proceed
    }

    private enum CheckpointResult { case saved, diskFull, failed }

    @discardableResult
    private func checkpoint(_ session: TrainingSession) -> CheckpointResult {
        if nonFinite {
            let kept = session.lastCheckpointStep.map { "checkpoint-\($0)" } ?? "none"
            session.event("checkpoint_skipped", detail: "{\"reason\":\"non-finite loss\",\"kept\":\"\(kept)\"}")
            return .failed
        }
        do { try session.saveCheckpoint(); return .saved } catch {
            if case SafetensorsError.diskFull = error { return .diskFull }
            session.event("checkpoint_failed", detail: "{\"error\":\(jsonString("\(error)"))}")
            update { $0.error = "checkpoint failed: \(error)" }
            return .failed
        }
    }

    /// A checkpoint asked for by hand (stop, the checkpoint command) that found the disk full: said, not retried.
    private func reportDiskFull(_ session: TrainingSession) {
        session.event("checkpoint_failed", detail: "{\"error\":\"disk full\"}")
        update { $0.error = "checkpoint failed: disk full in \(session.runDirectory.path); the previous checkpoint is kept" }
    }

    private func pauseForDisk(_ session: TrainingSession, paused: inout Bool) {
        paused = true
        diskRetryAt = Date().addingTimeInterval(diskRetryInterval)
        let dir = session.runDirectory.path
        session.event("disk_full", detail: "{\"dir\":\(jsonString(dir)),\"retry_seconds\":\(diskRetryInterval)}")
        session.status("paused")
        update {
            $0.phase = .paused
            $0.error = "disk full writing checkpoint-\(session.step) in \(dir); paused, retrying every \(diskRetryInterval) s — free some space"
        }
    }

    /// One more checkpoint attempt while paused by a full disk; resumes the run when it is written.
    private func retryAfterDiskFull(_ session: TrainingSession, paused: inout Bool) {
        switch checkpoint(session) {
        case .saved:
            paused = false; diskRetryAt = nil
            session.event("resume", detail: "{\"reason\":\"disk_space\"}")
            session.status("running")
            update { $0.phase = .running; $0.error = nil }
        case .diskFull:
            diskRetryAt = Date().addingTimeInterval(diskRetryInterval)
        case .failed:
            // Not the disk any more: stay paused for the user, who can see the error.
            diskRetryAt = nil
        }
    }
}
