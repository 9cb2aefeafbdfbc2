import Foundation
import RunCore
import Synchronization
import Tensor

/// The host's view of its run, readable from any thread.
public struct HostStatus: Sendable, Equatable {
    /// The run's status; `running` also while the session is still being built (`started` false).
    public var phase: RunStatus = .running
    public var started = false
    public var step = 0
    public var totalSteps = 0
    public var lastReport: StepReport?
    public var learningRateScale = 1.0
    public var error: String?
    public var isLive: Bool { phase.isLive }
}

/// What a non-finite loss does: pause and wait for a command (resume rolls back), or end the run as failed.
public enum NaNPolicy: String, Sendable, CaseIterable { case pause, fail }

/// The one training loop: a trainer on its own thread, taking commands at step boundaries from its mailbox
/// (in-process callers) and from a `CommandSource` (the store's command channel, any process). The session
/// is built on the thread, so loading a dataset never blocks the caller.
///
/// Policies, the same for the TUI and headless runs:
/// - a non-finite loss pauses with a `nan` event (or fails, `NaNPolicy.fail`); `resume` first goes back to
///   the newest valid checkpoint (a `rollback` event), since the weights may be poisoned, and stays paused,
///   saying why, when there is none. No checkpoint is written while the weights are suspect.
/// - a checkpoint that hits a full disk first prunes the run's own older checkpoints; if the disk is still
///   full the run pauses (`disk_full`) and retries every `diskRetryInterval` seconds, resuming by itself.
/// - a Swift trap on the trainer thread (or its loader's) is contained (TrapCell): the thread is parked, the
///   run is `failed` with a `trap` event, and the process and other hosts go on. The parked thread's memory is
///   not reclaimed, and the host never waits on it.
/// - stop checkpoints first; a probe still running finishes before the run ends, so its result is recorded.
public final class TrainerHost: @unchecked Sendable {
    public let name: String
    public let diskRetryInterval: Double
    public let nanPolicy: NaNPolicy
    /// A trap injected at a step (tests; `SIAMON_FAULT_TRAP`, see FaultTrap).
    public let faultTrap: FaultTrap?
    let commands: CommandSource?
    private let factory: @Sendable () throws -> TrainingSession
    private let mailbox = Mutex<[IssuedCommand]>([])
    private let stopReason = Mutex<String?>(nil)
    private let state = Mutex(HostStatus())
    private let cell: TrapCell
    // The session's sinks, for the trap report; set once on the trainer thread right after the session is built.
    let sinks = Mutex<[ReportSink]>([])
    private let trapReported = DispatchSemaphore(value: 0)
    private let wake = NSCondition()
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?
    // Trainer thread only: when paused by a full disk, the time of the next checkpoint attempt.
    var diskRetryAt: Date?
    // Trainer thread only: set by a non-finite loss; checkpoints stay off until a rollback.
    var nonFinite = false
    // Trainer thread only: the probe started by a `probe` command, if one is running.
    var probe: Thread?
    let probeDone = DispatchSemaphore(value: 0)

    public init(name: String, diskRetryInterval: Double = 5, nanPolicy: NaNPolicy = .pause, faultTrap: FaultTrap? = nil,
                commands: CommandSource? = nil, factory: @escaping @Sendable () throws -> TrainingSession) {
        self.name = name
        self.diskRetryInterval = diskRetryInterval
        self.nanPolicy = nanPolicy
        self.faultTrap = faultTrap ?? FaultTrap.fromEnvironment(run: name)
        self.commands = commands
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

    /// An in-process command; it is applied at the next step boundary like one from the store.
    public func send(_ command: RunCommand) {
        mailbox.withLock { $0.append(IssuedCommand(id: nil, command: command)) }
        wake.lock(); wake.signal(); wake.unlock()
    }

    /// Stop with a reason recorded in the stop event (a signal's name, "quit"). Safe from any thread.
    public func requestStop(reason: String) {
        stopReason.withLock { $0 = reason }
        send(.stop)
    }

    /// Blocks until the thread has ended (tests, headless runs, quit). A trapped thread never ends: then it
    /// returns once the trap is reported to the sinks, or after `trapReportTimeout` seconds if a sink is stuck.
    public func join(trapReportTimeout: Double = 5) {
        _ = wait(timeout: .infinity, trapReportTimeout: trapReportTimeout)
    }

    /// `join` with a limit: true once the thread has ended (or its trap is reported).
    public func wait(timeout: Double, trapReportTimeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while finished.wait(timeout: .now() + 0.05) == .timedOut {
            if cell.trap != nil {
                if trapReported.wait(timeout: .now() + trapReportTimeout) == .success { trapReported.signal() }
                return true
            }
            if Date() >= deadline { return false }
        }
        finished.signal()
        return true
    }

    /// On a thread of its own (TrapCell): the `trap` event and the failed status, to every sink.
    private func reportTrap(_ info: TrapInfo) {
        let step = status.step
        for s in sinks.withLockIfAvailable({ $0 }) ?? [] {
            s.event(step: step, .trap(RunEvent.Trap(signal: info.signalName, code: Int(info.code),
                                                    address: "0x" + String(info.address, radix: 16))))
            s.statusChanged(.failed)
        }
        trapReported.signal()
    }

    func update(_ f: (inout HostStatus) -> Void) { state.withLock { f(&$0) } }

    /// Everything asked since the last boundary: the mailbox first, then the store's claimed commands.
    private func takeCommands() -> [IssuedCommand] {
        mailbox.withLock { m in defer { m.removeAll() }; return m } + (commands?.claim() ?? [])
    }

    func takeStopReason() -> String? { stopReason.withLock { r in defer { r = nil }; return r } }

    private func main() {
        let session: TrainingSession
        do { session = try factory() } catch {
            update { $0.phase = .failed; $0.error = "\(error)" }
            return
        }
        sinks.withLock { $0 = session.sinks }
        defer { session.close() }
        update { $0.started = true; $0.step = session.step; $0.totalSteps = session.totalSteps }
        session.status(.running)
        var paused = false
        while true {
            // The loader's thread trapped: nothing more is written for this run.
            if cell.trap != nil { return }
            for command in takeCommands() where apply(command, session: session, paused: &paused) == .end {
                waitForProbe(); return
            }
            if paused {
                if let at = diskRetryAt, Date() >= at { retryAfterDiskFull(session, paused: &paused) }
                wake.lock(); _ = wake.wait(until: Date().addingTimeInterval(min(0.05, diskRetryInterval))); wake.unlock()
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
                if nonFiniteLoss(report, session: session, paused: &paused) == .end { waitForProbe(); return }
                continue
            }
            if session.shouldCheckpoint(), checkpoint(session) == .diskFull { pauseForDisk(session, paused: &paused) }
        }
        waitForProbe()
        session.event(.done(RunEvent.Control()))
        session.status(.done)
        update { $0.phase = .done }
    }

    /// A non-finite loss: the `nan` event, then pause (resume rolls back) or end the run as failed.
    private func nonFiniteLoss(_ report: StepReport, session: TrainingSession, paused: inout Bool) -> Flow {
        session.event(.nan(RunEvent.NonFinite(step: report.step, loss: "\(report.loss)")))
        nonFinite = true
        let kept = session.lastCheckpointStep.map { "checkpoint-\($0)" } ?? "no checkpoint yet"
        if nanPolicy == .fail {
            session.status(.failed)
            update { $0.phase = .failed; $0.error = "non-finite loss at step \(report.step); failed without saving (last good: \(kept)); lower optimizer.lr and --resume" }
            return .end
        }
        paused = true
        session.status(.paused)
        update { $0.phase = .paused; $0.error = "non-finite loss at step \(report.step); paused (last good: \(kept)): resume rolls back to it, or stop" }
        return .proceed
    }

    enum Flow { case proceed, end }
}

/// Lets the trap handler reach its host without a reference cycle (the host owns the cell).
private final class WeakHost: @unchecked Sendable { weak var host: TrainerHost? }
