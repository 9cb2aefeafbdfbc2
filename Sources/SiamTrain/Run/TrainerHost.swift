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
public final class TrainerHost: @unchecked Sendable {
    public let name: String
    private let factory: @Sendable () throws -> TrainingSession
    private let mailbox = Mutex<[TrainerCommand]>([])
    private let state = Mutex(HostStatus())
    private let wake = NSCondition()
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    public init(name: String, factory: @escaping @Sendable () throws -> TrainingSession) {
        self.name = name
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
        while !session.isFinished {
            for command in mailbox.withLock({ m in defer { m.removeAll() }; return m }) {
                if handle(command, session: session, paused: &paused) == .stop { return }
            }
            if paused {
                wake.lock(); _ = wake.wait(until: Date().addingTimeInterval(0.1)); wake.unlock()
                continue
            }
            let report = session.runStep()
            update { $0.step = session.step; $0.lastReport = report }
            if !report.loss.isFinite {
                session.event("nan", detail: "{\"loss\":\"\(report.loss)\"}")
                paused = true
                session.status("paused")
                update { $0.phase = .paused; $0.error = "non-finite loss at step \(report.step); paused" }
                continue
            }
            if session.shouldCheckpoint() { checkpoint(session) }
        }
        checkpoint(session)
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
            paused = false; session.event("resume"); session.status("running"); update { $0.phase = .running }
        case .stop:
            checkpoint(session)
            session.event("stop"); session.status("stopped"); update { $0.phase = .stopped }
            return .stop
        case .scaleLearningRate(let f):
            let scale = session.trainer.learningRateScale * f
            session.trainer.learningRateScale = scale
            session.event("lr_scale", detail: "{\"factor\":\(f),\"scale\":\(scale)}")
            update { $0.learningRateScale = scale }
        case .checkpoint:
            checkpoint(session)
        default: break
        }
        return .proceed
    }

    private func checkpoint(_ session: TrainingSession) {
        do { try session.saveCheckpoint() } catch {
            session.event("checkpoint_failed", detail: "{\"error\":\(jsonString("\(error)"))}")
            update { $0.error = "checkpoint failed: \(error)" }
        }
    }
}
