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
/// so loading a dataset never blocks the caller. A non-finite loss pauses the run with a `nan` event; `resume`
/// then first goes back to the newest valid checkpoint (a `rollback` event), since the weights may be poisoned
/// (an LR spike), and stays paused, saying why, when the run has no checkpoint.
/// A checkpoint that hits a full disk pauses the run with a `disk_full` event (issue 8: pause, never die);
/// the host retries the checkpoint every `diskRetryInterval` seconds and resumes by itself (a `resume` event
/// with reason "disk_space") once one is written. Metrics are not at risk meanwhile: the store writer keeps
/// its batch and retries on its own.
/// A Swift trap on the trainer thread (or its data loader's) is contained (TrapCell): that thread is parked
/// for good, the status says `failed`, the sinks get a `trap` event and the `failed` status, and the process
/// and other hosts go on. No checkpoint is written after a trap; the last good one stays. The parked thread's
/// memory is not reclaimed, and the host never waits on it (status, join and the trap report do not block on it).
public final class TrainerHost: @unchecked Sendable {
    public let name: String
    public let diskRetryInterval: Double
    /// A trap injected at a step (tests; `SIAMON_FAULT_TRAP`, see FaultTrap).
    public let faultTrap: FaultTrap?
    private let factory: @Sendable () throws -> TrainingSession
    private let mailbox = Mutex<[TrainerCommand]>([])
    private let state = Mutex(HostStatus())
    private let cell: TrapCell
    // The session's sinks, for the trap report; set once on the trainer thread right after the session is built.
    private let sinks = Mutex<[ReportSink]>([])
    private let trapReported = DispatchSemaphore(value: 0)
    private let wake = NSCondition()
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?
    // Trainer thread only: when paused by a full disk, the time of the next checkpoint attempt.
    private var diskRetryAt: Date?
    // Trainer thread only: set by a non-finite loss. The weights after that step are suspect, so no checkpoint
    // is written any more (stop, quit and the checkpoint command included): the last good one stays the newest.
    private var nonFinite = false

    public init(name: String, diskRetryInterval: Double = 5, faultTrap: FaultTrap? = nil,
                factory: @escaping @Sendable () throws -> TrainingSession) {
        self.name = name
        self.diskRetryInterval = diskRetryInterval
        self.faultTrap = faultTrap ?? FaultTrap.fromEnvironment(run: name)
        self.factory = factory
        let box = WeakHost()
        cell = TrapCell { info in box.host?.reportTrap(info) }
        box.host = self
    }

    public var status: HostStatus {
        guard let trap = cell.trap else { return state.withLock { $0 } }
        // The parked thread may have stopped inside `update`: never wait for the lock.
        var s = state.withLockIfAvailable { $0 } ?? HostStatus()
        s.phase = .failed
        s.error = "trainer thread trapped at step \(s.step) (\(trap)); run stopped, its last checkpoint is kept"
        return s
    }

    /// The trap that stopped this run, if one did.
    public var trap: TrapInfo? { cell.trap }

    public func start() {
        let t = Thread { [self] in self.cell.contain { self.main() }; self.finished.signal() }
        t.name = "trainer-\(name)"
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    public func send(_ command: TrainerCommand) {
        mailbox.withLock { $0.append(command) }
        wake.lock(); wake.signal(); wake.unlock()
    }

    /// Blocks until the thread has ended (tests, headless runs, quit). A trapped thread never ends: then it
    /// returns once the trap is reported to the sinks, or after `trapReportTimeout` seconds if a sink is stuck.
    public func join(trapReportTimeout: Double = 5) {
        while finished.wait(timeout: .now() + 0.05) == .timedOut {
            guard cell.trap != nil else { continue }
            if trapReported.wait(timeout: .now() + trapReportTimeout) == .success { trapReported.signal() }
            return
        }
        finished.signal()
    }

    /// On a thread of its own (TrapCell): the `trap` event and the failed status, to every sink.
    private func reportTrap(_ info: TrapInfo) {
        let step = status.step
        for s in sinks.withLockIfAvailable({ $0 }) ?? [] {
            s.event(step: step, kind: "trap", detail: info.eventDetail)
            s.statusChanged("failed")
        }
        trapReported.signal()
    }

    private func update(_ f: (inout HostStatus) -> Void) { state.withLock { f(&$0) } }

    private func main() {
        let session: TrainingSession
        do { session = try factory() } catch {
            update { $0.phase = .failed; $0.error = "\(error)" }
            return
        }
        sinks.withLock { $0 = session.sinks }
        defer { session.close() }
        update { $0.phase = .running; $0.step = session.step; $0.totalSteps = session.totalSteps }
        session.status("running")
        var paused = false
        while true {
            // The loader's thread trapped: nothing more is written for this run. (This thread then waits for
            // ever in the loader's stop; nobody waits for it, join included.)
            if cell.trap != nil { return }
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
            if let f = faultTrap, session.step == f.step { f.fire(run: name) }
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
            if nonFinite && !rollBack(session) { break }
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

    /// Before resuming after a non-finite loss: back to the newest valid checkpoint. False (the run stays paused,
    /// the reason in the status) when there is none or it does not load.
    private func rollBack(_ session: TrainingSession) -> Bool {
        let from = session.step
        let what = "non-finite loss at step \(session.lastReport?.step ?? from - 1)"
        do {
            guard let to = try session.rollback() else {
                update { $0.error = "\(what) and no checkpoint to go back to in \(session.runDirectory.path); still paused: stop the run and start it again with a lower optimizer.lr" }
                return false
            }
            nonFinite = false
            session.event("rollback", detail: "{\"from_step\":\(from),\"to_step\":\(to),\"reason\":\"non-finite loss\"}")
            update { $0.step = to }
            return true
        } catch {
            update { $0.error = "\(what); going back to a checkpoint failed: \(error); still paused" }
            return false
        }
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

/// Lets the trap handler reach its host without a reference cycle (the host owns the cell).
private final class WeakHost: @unchecked Sendable { weak var host: TrainerHost? }
