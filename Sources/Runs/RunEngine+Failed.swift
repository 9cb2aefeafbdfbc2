import Foundation
import MetricsStore
import RunCore
import SiamTrain

extension RunEngine {
    /// Runs that failed (a session that could not start, or a trainer thread that trapped and was parked,
    /// see TrapCell) leave `hosts` here with a message. Their writer is finished (status `failed`, queued rows
    /// flushed) and steps.jsonl closed on a helper thread: a trapped thread may have stopped inside a sink and
    /// the UI thread must never wait on it. `quit` waits for these helpers a bounded time only.
    func retireFailed() {
        for (name, run) in hosts where run.host.status.phase == .failed {
            notices.post("run \(name) failed: \(run.host.status.error ?? "unknown error")")
            hosts[name] = nil
            watched.remove(name)   // a failed queued run has ended: the queue must not wait for it
            let group = retiring
            group.enter()
            let t = Thread {
                run.host.join()   // at once for a failed start; after the trap report (≤ 5 s) for a trap
                try? run.writer.finish(status: .failed)
                run.steps.close()
                group.leave()
            }
            t.name = "siamon-retire"
            t.start()
        }
    }
}
