import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Synchronization

/// The store side of the live UI: a background thread that owns its own database connection, answers the
/// UI's requests and refreshes the run list, so the UI thread never waits on the disk (docs/architecture.md §2).
/// Requests go in through `submit`; results come out as `AppEvent`s through `drain`.
final class StoreBridge: @unchecked Sendable {
    enum Job: Sendable {
        case series(run: String, key: String, columns: Int, xMode: XMode, steps: ClosedRange<Int>?)
        case readout(runs: [String], step: Int)
        case snapshots(run: String)
        case work(@Sendable (MetricsDatabase) throws -> [AppEvent])
    }

    let databasePath: String
    private let jobs = Mutex<[Job]>([])
    private let outbox = Mutex<[AppEvent]>([])
    private let wake = NSCondition()
    private let stopped = Atomic<Bool>(false)
    /// Hosts built on this thread for the driver to adopt on the UI thread.
    struct Adoption: Sendable { let name: String; let host: TrainerHost; let writer: StoreWriter; let steps: StepsFileSink; let threads: Int }
    let adopted = Mutex<[Adoption]>([])
    /// Runs started in this process: their live status overrides what the store says (set by the driver).
    let liveStatus = Mutex<[String: HostStatus]>([:])
    /// Runs whose start failed before a host existed (bad config, database error): the queue frees their slot.
    private let startFailures = Mutex<Set<String>>([])
    /// Commands this UI issued and still waits on: id → what to call it in the answer's message.
    let watchedCommands = Mutex<[Int64: String]>([:])
    func startFailed(_ name: String) { startFailures.withLock { _ = $0.insert(name) } }
    func takeStartFailure(_ name: String) -> Bool { startFailures.withLock { $0.remove(name) != nil } }

    init(databasePath: String) {
        self.databasePath = databasePath
        let t = Thread { [self] in self.loop() }
        t.name = "siamon-store-reader"
        t.start()
    }

    func submit(_ job: Job) {
        jobs.withLock { list in
            // The UI repeats series requests every 0.5 s: keep only the newest of each (run, key).
            if case .series(let run, let key, _, _, _) = job {
                list.removeAll { if case .series(run, key, _, _, _) = $0 { return true } else { return false } }
            }
            if case .readout = job { list.removeAll { if case .readout = $0 { true } else { false } } }
            list.append(job)
        }
        wake.lock(); wake.signal(); wake.unlock()
    }

    /// Events from other threads (a finished probe).
    func post(_ events: [AppEvent]) { emit(events) }

    func drain() -> [AppEvent] { outbox.withLock { o in defer { o.removeAll() }; return o } }
    func stop() { stopped.store(true, ordering: .relaxed); wake.lock(); wake.signal(); wake.unlock() }

    private func emit(_ events: [AppEvent]) { if !events.isEmpty { outbox.withLock { $0.append(contentsOf: events) } } }

    private func loop() {
        var db: MetricsDatabase?
        var cache = RunCache()
        var lastRefresh = 0.0
        while !stopped.load(ordering: .relaxed) {
            if db == nil {
                do { db = try MetricsDatabase(path: databasePath) } catch {
                    emit([.message("\(error)")])
                    Thread.sleep(forTimeInterval: 2)
                    continue
                }
            }
            guard let db else { continue }
            let pending = jobs.withLock { j in defer { j.removeAll() }; return j }
            for job in pending { run(job, db: db, cache: &cache) }
            followCommands(db)
            let now = Date().timeIntervalSince1970
            if now - lastRefresh > 0.5 {
                lastRefresh = now
                do { emit(try cache.refresh(db, live: liveStatus.withLock { $0 })) } catch { emit([.message("\(error)")]) }
            }
            wake.lock(); _ = wake.wait(until: Date().addingTimeInterval(0.1)); wake.unlock()
        }
    }

    private func run(_ job: Job, db: MetricsDatabase, cache: inout RunCache) {
        do {
            switch job {
            case .series(let run, let key, let columns, let xMode, let steps):
                emit([try cache.series(db, run: run, key: key, columns: columns, xMode: xMode, steps: steps)])
            case .readout(let runs, let step):
                emit(try cache.readout(db, runs: runs, step: step))
            case .snapshots(let run):
                emit(try cache.newSnapshots(db, run: run))
            case .work(let f):
                emit(try f(db))
            }
        } catch {
            emit([.message("\(error)")])
        }
    }

    /// Answers to the commands this UI issued: one message each when it is applied, refused or expires.
    /// An owner that has died leaves its commands pending; they expire here, with the owner's last heartbeat.
    private func followCommands(_ db: MetricsDatabase) {
        let waiting = watchedCommands.withLock { $0 }
        guard !waiting.isEmpty else { return }
        do {
            var done: [Int64] = []
            var events: [AppEvent] = []
            var expired = false
            for (id, label) in waiting.sorted(by: { $0.key < $1.key }) {
                if !expired, let r = try db.command(id: id), !r.state.isFinal {
                    expired = true
                    try db.expireOrphanedCommands()
                }
                guard let r = try db.command(id: id) else { done.append(id); continue }
                guard r.state.isFinal else { continue }
                done.append(id)
                events.append(.message("\(label): \(r.state.rawValue) — \(r.result ?? "no reason given")"))
            }
            watchedCommands.withLock { w in for id in done { w[id] = nil } }
            emit(events)
        } catch {
            emit([.message("\(error)")])
        }
    }
}
