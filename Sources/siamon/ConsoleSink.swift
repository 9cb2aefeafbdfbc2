import Foundation
import RunCore
import Synchronization

/// Headless training's view: the progress bar (or plain lines) and one line per event that a user at the
/// terminal must see. Writes go through stdio; a failed write (a closed pipe) sets `broken`, and the run is
/// then stopped cleanly by its caller.
final class ConsoleSink: ReportSink, @unchecked Sendable {
    private let state: Mutex<ProgressPrinter>
    private let batch: Int
    private let name: String
    let brokenFlag = Atomic<Bool>(false)
    var broken: Bool { brokenFlag.load(ordering: .relaxed) }

    init(name: String, total: Int, every: Int, batch: Int) {
        self.name = name
        self.batch = batch
        state = Mutex(ProgressPrinter(total: total, every: every))
    }

    func record(_ report: StepReport) {
        state.withLock { p in
            if !p.update(report, batch: batch) { brokenFlag.store(true, ordering: .relaxed) }
        }
    }

    func event(step: Int, _ event: RunEvent) {
        guard let text = Self.line(event, step: step, name: name) else { return }
        say(text)
    }

    /// A line of its own, below the progress bar.
    func say(_ text: String) {
        state.withLock { p in
            p.finishLine()
            if !ProgressPrinter.write(text + "\n") { brokenFlag.store(true, ordering: .relaxed) }
        }
    }

    func finishLine() { state.withLock { $0.finishLine() } }

    static func line(_ e: RunEvent, step: Int, name: String) -> String? {
        let by = e.commandId.map { " (command \($0))" } ?? ""
        switch e {
        case .pause: return "paused at step \(step)\(by); `siamon ctl \(name) resume` continues"
        case .resume(let d): return d.reason == "disk_space" ? "disk space is back: checkpoint-\(step) saved, training resumes" : "resumed at step \(step)\(by)"
        case .lrScale(let d): return String(format: "lr scale ×%g, now ×%g from step %d%@", d.factor, d.scale, step, by)
        case .checkpoint(let d) where d.command != nil: return "checkpoint-\(step) saved\(by)"
        case .nan(let d):
            return "non-finite loss (\(d.loss ?? "nan")) at step \(d.step ?? step); paused: `siamon ctl \(name) resume` rolls back to the newest checkpoint, `siamon ctl \(name) stop` ends the run"
        case .rollback(let d): return "rolled back from step \(d.fromStep) to checkpoint-\(d.toStep)"
        case .diskFull(let d):
            return "disk full writing checkpoint-\(step) in \(d.dir ?? "the run folder"); training paused, retrying every \(Int(d.retrySeconds ?? 5)) s (free some space, or Ctrl-C to stop)"
        case .checkpointFailed(let d): return "checkpoint failed at step \(step): \(d.error)"
        case .checkpointPruned(let d): return "disk full: removed older checkpoints \(d.removed.map { "checkpoint-\($0)" }.joined(separator: ", ")) of this run"
        case .probe(let d): return String(format: "probe-v1 of checkpoint-%d: linear %.2f %%  kNN %.2f %%", step, d.linear, d.knn)
        case .probeFailed(let d): return "probe of checkpoint-\(step) failed: \(d.error)"
        case .trap(let d): return "trainer thread trapped (\(d.signal)) at step \(step); run failed, its last checkpoint is kept"
        default: return nil
        }
    }
}
