import Foundation
import Tensor

/// Incremental reading for live views (docs/store.md §5): `PRAGMA data_version` first (it changes only when
/// another connection commits), then only the rows past the last rowid seen. Cost is O(new rows) per poll,
/// not O(history) as in trackio. Use a connection of its own (data_version ignores this connection's writes).
public final class StorePoller: @unchecked Sendable {
    public struct Update: Sendable, Equatable {
        public var scalars: [ScalarPoint] = []
        public var events: [EventRecord] = []
        /// Some run row (status, heartbeat, a new run) may have changed: refresh the run list.
        public var runsMayHaveChanged = false
        /// The row limit was hit; poll again soon for the rest.
        public var more = false
    }

    private let db: MetricsDatabase
    private var lastVersion: Int64?
    private var lastScalar: Int64
    private var lastEvent: Int64
    private let limit: Int
    private let lock = NSLock()    // poll() may be called from any thread, one at a time

    /// `fromStart: false` skips existing history (load it with `series` instead) and returns only new rows.
    public init(database: MetricsDatabase, fromStart: Bool = false, rowLimit: Int = 200_000) throws {
        self.db = database
        self.limit = rowLimit
        if fromStart {
            lastScalar = 0; lastEvent = 0
        } else {
            (lastScalar, lastEvent) = try db.with { c in
                (try c.scalarInt("SELECT max(rowid) FROM scalar") ?? 0, try c.scalarInt("SELECT max(id) FROM event") ?? 0)
            }
        }
    }

    /// New rows since the last call, or nil when nothing was committed by anyone else since then.
    public func poll() throws -> Update? {
        lock.lock(); defer { lock.unlock() }
        let version = try db.dataVersion()
        if version == lastVersion { return nil }
        var u = Update()
        try db.with { c in
            // One read transaction, so the scalar and event cursors see the same snapshot.
            try c.exec("BEGIN")
            defer { try? c.exec("COMMIT") }
            try c.rows("SELECT s.rowid, s.runId, k.name, s.step, s.value, s.wallTime FROM scalar s JOIN scalarKey k ON k.id = s.keyId WHERE s.rowid > ? ORDER BY s.rowid LIMIT ?",
                       [.int(lastScalar), .int(Int64(limit))]) { s in
                lastScalar = s.int(0)
                // A step outside ±FileIntegers.max is damage (RunSummary.damagedStep); the charts never see it.
                guard (-Int64(FileIntegers.max)...Int64(FileIntegers.max)).contains(s.int(3)) else { return }
                u.scalars.append(ScalarPoint(runId: s.int(1), key: s.text(2), step: Int(s.int(3)), value: s.double(4),
                                             wallTime: s.optionalDouble(5)))
            }
            try c.rows("SELECT id, runId, step, wallTime, kind, detail FROM event WHERE id > ? ORDER BY id LIMIT ?",
                       [.int(lastEvent), .int(Int64(limit))]) { s in
                lastEvent = s.int(0)
                u.events.append(MetricsDatabase.eventRow(s))
            }
        }
        u.more = u.scalars.count == limit || u.events.count == limit
        u.runsMayHaveChanged = true
        // Keep the old version while rows remain, so the next poll continues instead of returning nil.
        if !u.more { lastVersion = version }
        return u
    }
}
