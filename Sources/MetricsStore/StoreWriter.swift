import Foundation
import RunCore

/// The live writer of one run: a `ReportSink` whose `record` only appends to a bounded in-memory queue; a
/// dedicated thread commits everything queued in one transaction at most every `flushInterval` (100 ms).
///
/// Back-pressure (docs/store.md §4: a slow disk must never stall a step, and snapshots go before metrics):
/// - snapshots have their own small queue; when it is full the new snapshot is dropped (`droppedSnapshots`);
/// - metrics, events and status changes are never dropped. Their queue holds `metricsCapacity` items
///   (65,536 reports ≈ hours of training); only if the disk has stalled that long does `record` block until
///   the writer drains it (`blockedRecords` counts such waits).
/// A failed commit (busy past the timeout, disk full) keeps the batch and retries every 0.5 s; `lastError`
/// says why. Each commit also refreshes the run's heartbeat, and an idle writer refreshes it every 5 s, so
/// readers can tell a live writer from a vanished one.
public final class StoreWriter: ReportSink, @unchecked Sendable {
    public struct Options: Sendable {
        public var flushInterval: Double = 0.1
        public var metricsCapacity: Int = 65_536
        public var snapshotCapacity: Int = 4
        public var heartbeatInterval: Double = 5
        /// Claim this run's pending commands from the store every cycle (the writer is the run's owner).
        public var claimsCommands = true
        /// Called on the writer thread after each commit with the highest committed step (nil if none yet).
        public var onCommit: (@Sendable (Int?) -> Void)?
        public init() {}
    }

    private enum Item {
        case report(StepReport)
        case event(step: Int, kind: String, detail: String, wallTime: Double)
        case status(RunStatus, wallTime: Double)
        case checkpoint(step: Int, path: String, bytes: Int, wallTime: Double)
        case probe(ProbeRecord)
        case commandDone(id: Int64, CommandOutcome, wallTime: Double)
        /// The writer's last item: commands nobody will answer any more are refused with the final status.
        case closeCommands(RunStatus, wallTime: Double)
    }

    public let runId: Int64
    private let db: MetricsDatabase
    private let options: Options
    private let cond = NSCondition()
    // Guarded by `cond`:
    private var items: [Item] = []
    private var snapshots: [SnapshotRecord] = []
    private var claimed: [IssuedCommand] = []
    private var stopping = false, exited = false
    private var requested = 0, committed = 0
    private var stats = (dropped: 0, blocked: 0, commits: 0, lastStep: Int?.none, error: String?.none, commitSeconds: 0.0)
    // Writer thread only: the last status this writer set (a run it ended itself is never revived).
    private var ownStatus: RunStatus = .running

    /// Opens its own connection to `path` and starts the writer thread for run `runId` (see `createRun`).
    public init(path: String, runId: Int64, options: Options = Options()) throws {
        self.db = try MetricsDatabase(path: path)
        self.runId = runId
        self.options = options
        // The writer only appends: a small page cache is enough, and a TUI with several live runs would
        // otherwise hold up to SQLite's default 2 MiB per writer, growing with the file.
        try db.with { c in try c.exec("PRAGMA cache_size=-256") }
        try db.write { c in
            let s = try c.statement("UPDATE run SET writerPid = ?, writerHost = ?, heartbeat = ? WHERE id = ?")
            try s.bind([.int(Int64(getpid())), .text(storeHostName), .double(Date().timeIntervalSince1970), .int(runId)])
            try s.run()
        }
        Thread.detachNewThread { [self] in self.loop() }
    }

    /// Creates run `name` in the database at `path` and returns its writer (the usual way a trainer starts).
    public static func create(path: String, name: String, preset: String, configJSON: String,
                              source: RunSource = .siamon, parent: RunParent? = nil,
                              options: Options = Options()) throws -> StoreWriter {
        let db = try MetricsDatabase(path: path)
        let id = try db.createRun(name: name, preset: preset, configJSON: configJSON, source: source, parent: parent)
        db.close()
        return try StoreWriter(path: path, runId: id, options: options)
    }

    // MARK: Producer side (any thread; never waits on the disk)

    public func record(_ report: StepReport) { enqueue(.report(report)) }

    public func event(step: Int, _ event: RunEvent) {
        enqueue(.event(step: step, kind: event.kind.rawValue, detail: event.detailJSON, wallTime: Date().timeIntervalSince1970))
    }

    public func commandFinished(id: Int64, _ outcome: CommandOutcome) {
        enqueue(.commandDone(id: id, outcome, wallTime: Date().timeIntervalSince1970))
    }

    public func setStatus(_ status: RunStatus) { enqueue(.status(status, wallTime: Date().timeIntervalSince1970)) }

    public func checkpoint(step: Int, path: String, bytes: Int) {
        enqueue(.checkpoint(step: step, path: path, bytes: bytes, wallTime: Date().timeIntervalSince1970))
    }

    public func probe(step: Int, linear: Double?, knn: Double?, protocolName: String) {
        enqueue(.probe(ProbeRecord(runId: runId, step: step, linear: linear, knn: knn, protocolName: protocolName,
                                   wallTime: Date().timeIntervalSince1970)))
    }

    /// Queues a mask snapshot; drops it (and counts the drop) when the snapshot queue is full.
    public func snapshot(_ s: SnapshotRecord) {
        cond.lock(); defer { cond.unlock() }
        guard !stopping else { return }
        if snapshots.count >= options.snapshotCapacity { stats.dropped += 1; return }
        snapshots.append(s)
    }

    private func enqueue(_ item: Item) {
        cond.lock(); defer { cond.unlock() }
        guard !stopping else { return }
        if items.count >= options.metricsCapacity {
            stats.blocked += 1
            cond.broadcast()
            while items.count >= options.metricsCapacity && !stopping { cond.wait() }
        }
        items.append(item)
    }

    // MARK: Synchronisation

    /// Blocks until everything queued before this call is committed, or `timeout` passes. true = committed.
    @discardableResult
    public func flush(timeout: Double = 30) -> Bool {
        cond.lock(); defer { cond.unlock() }
        requested += 1
        let target = requested
        cond.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while committed < target && !exited { if !cond.wait(until: deadline) { return false } }
        return committed >= target
    }

    /// Queues the final status, flushes, stops the thread and closes the connection. Later calls do nothing.
    /// Throws when the last batch could not be committed.
    public func finish(status: RunStatus) throws {
        cond.lock()
        let already = stopping
        if !already {
            let now = Date().timeIntervalSince1970
            items.append(.status(status, wallTime: now))
            if !status.isLive { items.append(.closeCommands(status, wallTime: now)) }
            stopping = true
            cond.broadcast()
        }
        while !exited { cond.wait() }
        let err = stats.error
        cond.unlock()
        if already { return }
        // Hand the WAL back to the main file and shrink it, so a finished run leaves no large -wal behind
        // (best effort: a reader may hold it, and then the next writer's checkpoint does it).
        // Busy timeout 0 here: TRUNCATE would otherwise wait out the timeout while a watcher is reading.
        try? db.with { c in try c.exec("PRAGMA busy_timeout=0; PRAGMA wal_checkpoint(TRUNCATE)") }
        db.close()
        if let e = err { throw StoreError.sqlite(path: db.path, code: 0, message: "last batch not written: \(e)", sql: "COMMIT") }
    }

    public var droppedSnapshots: Int { cond.lock(); defer { cond.unlock() }; return stats.dropped }
    public var blockedRecords: Int { cond.lock(); defer { cond.unlock() }; return stats.blocked }
    public var commits: Int { cond.lock(); defer { cond.unlock() }; return stats.commits }
    public var lastCommittedStep: Int? { cond.lock(); defer { cond.unlock() }; return stats.lastStep }
    public var lastError: String? { cond.lock(); defer { cond.unlock() }; return stats.error }
    /// Wall time the writer thread spent inside commits (for the logging-cost benchmark).
    public var commitSeconds: Double { cond.lock(); defer { cond.unlock() }; return stats.commitSeconds }

    // MARK: Writer thread

    private func loop() {
        var lastBeat = Date().timeIntervalSince1970
        var failures = 0
        while true {
            cond.lock()
            if !stopping && requested == committed && items.count < options.metricsCapacity {
                _ = cond.wait(until: Date(timeIntervalSinceNow: failures > 0 ? 0.5 : options.flushInterval))
            }
            let batch = items, snaps = snapshots, gen = requested, stop = stopping
            items.removeAll(keepingCapacity: true); snapshots.removeAll(keepingCapacity: true)
            cond.broadcast()   // wakes producers blocked on a full queue
            cond.unlock()

            let now = Date().timeIntervalSince1970
            let beat = now - lastBeat >= options.heartbeatInterval
            var err: String?
            var step: Int?
            var spent = 0.0
            if !batch.isEmpty || !snaps.isEmpty || beat {
                let t0 = DispatchTime.now().uptimeNanoseconds
                do { step = try commit(batch, snaps, now: now); lastBeat = now; failures = 0 }
                catch { err = "\(error)"; failures += 1 }
                spent = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            }
            let fresh = stop || !options.claimsCommands ? [] : claimPending(now: now)
            cond.lock()
            claimed += fresh
            if let e = err, !(stop && failures > 3) {
                items.insert(contentsOf: batch, at: 0)      // keep order; retry
                snapshots = snaps + snapshots
                stats.error = e
            } else {
                if err == nil { stats.error = nil } else { stats.error = err }
                if batch.isEmpty == false || !snaps.isEmpty { stats.commits += 1; stats.commitSeconds += spent }
                if let s = step { stats.lastStep = Swift.max(stats.lastStep ?? s, s) }
                committed = gen
            }
            let last = stats.lastStep
            let done = stop && items.isEmpty && snapshots.isEmpty
            if done { exited = true }
            cond.broadcast()
            cond.unlock()
            if err == nil, !batch.isEmpty, let cb = options.onCommit { cb(last) }
            if done { return }
        }
    }

    /// One transaction: every queued item in order, the snapshots, and the heartbeat. Returns the highest step.
    private func commit(_ batch: [Item], _ snaps: [SnapshotRecord], now: Double) throws -> Int? {
        try db.write { c in
            var ins = try ScalarInsert(c)
            var top: Int?
            for item in batch {
                switch item {
                case .report(let r):
                    for (k, v) in r.scalars { try ins.add(runId: runId, key: k, step: r.step, value: v, wallTime: r.wallTime) }
                    top = Swift.max(top ?? r.step, r.step)
                case .event(let step, let kind, let detail, let t):
                    try MetricsDatabase.insertEvent(c, runId: runId, step: step, wallTime: t, kind: kind, detail: detail)
                case .status(let s, let t):
                    try MetricsDatabase.setStatus(c, runId: runId, s, now: t)
                    ownStatus = s
                case .checkpoint(let step, let path, let bytes, let t):
                    try MetricsDatabase.insertCheckpoint(c, runId: runId, step: step, path: path, bytes: bytes, wallTime: t)
                case .probe(let p):
                    try MetricsDatabase.insertProbe(c, p)
                case .commandDone(let id, let outcome, let t):
                    try MetricsDatabase.finishCommand(c, id: id, outcome, now: t)
                case .closeCommands(let s, let t):
                    try MetricsDatabase.refuseOpenCommands(c, runId: runId, status: s, now: t)
                }
            }
            try ins.finish(c)
            for s in snaps { try MetricsDatabase.insertSnapshot(c, runId: runId, s) }
            // A live writer revives a run that a reader on another host wrongly marked as interrupted.
            let hb = try c.statement("""
                UPDATE run SET heartbeat = ?, status = CASE WHEN status = 'interrupted' AND writerPid = ? THEN 'running' ELSE status END,
                  endedAt = CASE WHEN status = 'interrupted' AND writerPid = ? THEN NULL ELSE endedAt END WHERE id = ?
                """)
            let pid = ownStatus.isLive ? Int64(getpid()) : -1
            try hb.bind([.double(now), .int(pid), .int(pid), .int(runId)])
            try hb.run()
            return top
        }
    }
}

extension StoreWriter: CommandSource {
    /// ReportSink's status transitions, mapped onto the `run.status` column.
    public func statusChanged(_ status: RunStatus) { setStatus(status) }

    /// The commands the writer thread has claimed for this run since the last call, in issue order.
    public func claim() -> [IssuedCommand] {
        cond.lock(); defer { cond.unlock() }
        defer { claimed.removeAll() }
        return claimed
    }

    /// Writer thread: a cheap read first, so an idle channel costs no write lock; then the claim itself.
    /// A failure is left for the next cycle (the rows stay pending).
    fileprivate func claimPending(now: Double) -> [IssuedCommand] {
        let any = (try? db.with { c in
            try c.scalarInt("SELECT id FROM command WHERE runId = ? AND state = 'pending' LIMIT 1", [.int(runId)])
        }) ?? nil
        guard any != nil else { return [] }
        return (try? db.claimCommands(runId: runId, now: now)) ?? []
    }
}
