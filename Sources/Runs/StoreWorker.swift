import Foundation
import MetricsStore
import Synchronization

/// The engine's store work (creating runs, copying a fork's checkpoint, recording probes) on a thread of its
/// own with its own connection, so whoever drives the engine (the UI thread, a headless loop) never waits on
/// the disk. Jobs run in order; a failed job's error becomes a notice.
final class StoreWorker: @unchecked Sendable {
    typealias Job = @Sendable (MetricsDatabase) throws -> Void
    private let path: String
    private let jobs = Mutex<[Job]>([])
    private let wake = NSCondition()
    private let stopped = Atomic<Bool>(false)
    private let idle = Atomic<Bool>(true)
    let notices: Notices

    init(databasePath: String, notices: Notices) {
        path = databasePath
        self.notices = notices
        let t = Thread { [self] in self.loop() }
        t.name = "siamon-run-engine"
        t.start()
    }

    func submit(_ job: @escaping Job) {
        jobs.withLock { $0.append(job) }
        wake.lock(); wake.signal(); wake.unlock()
    }

    /// True when no job is queued or running.
    var isIdle: Bool { idle.load(ordering: .relaxed) && jobs.withLock { $0.isEmpty } }

    /// Finishes the queued jobs (at most `timeout` seconds), then ends the thread.
    func stop(timeout: Double = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while !isIdle && Date() < deadline { usleep(10_000) }
        stopped.store(true, ordering: .relaxed)
        wake.lock(); wake.signal(); wake.unlock()
    }

    private func loop() {
        var db: MetricsDatabase?
        while !stopped.load(ordering: .relaxed) {
            let pending = jobs.withLock { j in defer { j.removeAll() }; return j }
            if pending.isEmpty {
                wake.lock(); _ = wake.wait(until: Date().addingTimeInterval(0.1)); wake.unlock()
                continue
            }
            idle.store(false, ordering: .relaxed)
            for job in pending {
                do {
                    if db == nil { db = try MetricsDatabase(path: path) }
                    try job(db!)
                } catch {
                    notices.post("\(error)")
                }
            }
            idle.store(true, ordering: .relaxed)
        }
        db?.close()
    }
}

/// One-line messages for whoever drives the engine (the TUI's message line, the headless console).
public final class Notices: Sendable {
    private let lines = Mutex<[String]>([])
    public init() {}
    public func post(_ line: String) { lines.withLock { $0.append(line) } }
    public func drain() -> [String] { lines.withLock { l in defer { l.removeAll() }; return l } }
}
