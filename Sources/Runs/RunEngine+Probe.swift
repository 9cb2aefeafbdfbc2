import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Synchronization

/// Names of the runs whose probe is running, with the checkpoint step each probes (read by the driving
/// thread, written by probe threads).
final class ProbeTracker: Sendable {
    private let running = Mutex<[String: Int]>([:])
    private let recorded = Mutex<Set<String>>([])
    /// Set at shutdown when probes must stop now (the long loops poll it).
    let cancelling = Atomic<Bool>(false)
    func begin(_ n: String, step: Int) { running.withLock { $0[n] = step }; recorded.withLock { _ = $0.remove(n) } }
    /// `saved`: its result is in the store.
    func end(_ n: String, saved: Bool = false) {
        if saved { recorded.withLock { _ = $0.insert(n) } }
        running.withLock { _ = $0.removeValue(forKey: n) }
    }
    func wasRecorded(_ n: String) -> Bool { recorded.withLock { $0.contains(n) } }
    var count: Int { running.withLock { $0.count } }
    var all: [String: Int] { running.withLock { $0 } }
    func contains(_ n: String) -> Bool { running.withLock { $0[n] != nil } }
}

extension RunEngine {
    /// probe-v1 on the run's newest checkpoint, on a thread of its own; the result lands in the store (a probe
    /// row and a `probe` event) and as a notice.
    public func probe(_ run: String, limit: Int? = nil) {
        let protocolName = ProbeV1.protocolName(limit: limit), runs = runsDirectory.path
        let scope = limit.map { "the first \($0) train and test images" } ?? "about a minute"
        let probes = self.probes, worker = self.worker, notices = self.notices
        probes.begin(run, step: 0)
        rebalanceThreads()
        // Resolving the checkpoint reads files: everything happens on the probe's thread.
        let t = Thread {
            do {
                let target = try ProbeTarget.resolve(run, runsDirectory: runs)
                let step = target.step
                probes.begin(run, step: step)
                notices.post("\(protocolName) on \(run)'s checkpoint-\(step) started (\(scope))")
                try MemoryCheck.requireProbe(target.config, what: "probe \(run)")
                let stop: () -> Bool = { probes.cancelling.load(ordering: .relaxed) }
                let splits = try ProbeRun.splits(data: target.config.data, limitTrain: limit, limitTest: limit, cancelled: stop)
                let o = try ProbeRun.encoder(try target.network(), splits: splits, seed: 0, name: run,
                                             source: "checkpoint-\(step) of run \(run)", cancelled: stop)
                worker.submit { db in
                    var saved = false
                    defer { probes.end(run, saved: saved) }   // after the row is written, so a finished queue has every result
                    let id = try db.runId(named: run)
                    try db.addProbe(ProbeRecord(runId: id, step: step, linear: o.result.linear, knn: o.result.knn,
                                                protocolName: protocolName, wallTime: Date().timeIntervalSince1970))
                    try db.addEvent(runId: id, step: step, .probe(ProbeRun.eventDetail(o, checkpoint: Checkpoint.weightsName(step: step))))
                    saved = true
                    notices.post(o.line)
                }
            } catch {
                probes.end(run)
                notices.post("probe \(run): \(error)")
            }
        }
        t.name = "siamon-probe"
        t.start()
    }

    /// At shutdown: lets running probes finish (at most `timeout` seconds), or stops them at once with
    /// `cancel`; a probe that did not get its result into the store is recorded as interrupted (a `probe_failed`
    /// event), never silently dropped.
    func finishProbes(timeout: Double, cancel: Bool) -> [String] {
        let running = probes.all
        guard !running.isEmpty else { return [] }
        if cancel { probes.cancelling.store(true, ordering: .relaxed) }
        let deadline = Date().addingTimeInterval(timeout)
        while probes.count > 0 && Date() < deadline { usleep(50_000) }
        let lost = running.filter { !probes.wasRecorded($0.key) }
        for (run, step) in lost {
            worker.submit { db in
                try db.addEvent(runId: try db.runId(named: run), step: step,
                                .probeFailed(RunEvent.Failure(error: "interrupted: siamon stopped before the probe finished")))
            }
        }
        return lost.keys.sorted().map { "probe of \($0) interrupted (recorded as probe_failed); run `siamon probe \($0)` again" }
    }
}
