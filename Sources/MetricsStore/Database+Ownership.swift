import Foundation
import RunCore
#if canImport(Glibc)
import Glibc
#endif

/// Why a process may not write to a run: another owner is alive, or the run is not a training run.
public enum OwnershipError: Error, CustomStringConvertible, Equatable {
    case ownedElsewhere(run: String, pid: Int32, host: String, heartbeatAge: Double?)
    case imported(run: String)

    public var description: String {
        switch self {
        case let .ownedElsewhere(run, pid, host, age):
            let beat = age.map { String(format: "last heartbeat %.0f s ago", $0) } ?? "no heartbeat yet"
            let whereAt = host == storeHostName ? "on this host" : "on \(host)"
            return "\(run) is being trained by pid \(pid) \(whereAt) (\(beat)); steer it with `siamon ctl \(run) pause|stop|…`, "
                + "or wait until it ends before --resume"
        case let .imported(run):
            return "\(run) is an imported run (no checkpoints, not a training run); train a new run with --name instead"
        }
    }
}

extension MetricsDatabase {
    /// Seconds after which a writer whose process still exists but has not refreshed its heartbeat counts as
    /// stalled (the owner refreshes it at least every 5 s, paused or not).
    public static let stalledAfterSeconds = 30.0

    /// The run's owner is alive: its status is live and its writer has not vanished.
    public static func ownerAlive(_ r: RunSummary, now: Double) -> Bool {
        r.status.isLive && !writerVanished(r, now: now)
    }

    /// A live run whose writer process exists but has stopped heartbeating (hung, stopped with SIGSTOP, or
    /// on another host and silent): how long it has been silent, or nil when it is not stalled.
    public static func stalledSeconds(_ r: RunSummary, now: Double) -> Double? {
        guard r.status.isLive, !writerVanished(r, now: now), let hb = r.heartbeat else { return nil }
        let age = now - hb
        return age > stalledAfterSeconds ? age : nil
    }

    /// Makes this process the owner of an existing run (`--resume`), atomically: inside one write transaction
    /// the current owner is checked (pid and host, heartbeat) and replaced. Refuses an imported run and a run
    /// whose owner is alive.
    public func takeOwnership(of name: String, now: Double = Date().timeIntervalSince1970) throws -> Int64 {
        try write { c in
            var found: RunSummary?
            try c.rows("SELECT id, status, source, writerPid, writerHost, heartbeat, createdAt FROM run WHERE name = ?", [.text(name)]) { s in
                found = RunSummary(id: s.int(0), name: name, status: RunStatus(rawValue: s.text(1)) ?? .failed, preset: "",
                                   steps: 0, lastLoss: nil, createdAt: s.double(6), endedAt: nil,
                                   source: RunSource(rawValue: s.text(2)) ?? .siamon, parent: nil, latestProbe: nil,
                                   writerPid: s.optionalInt(3).map { Int32(truncatingIfNeeded: $0) },
                                   writerHost: s.optionalText(4), heartbeat: s.optionalDouble(5))
            }
            guard let r = found else { throw StoreError.noSuchRun(name: name) }
            if r.source == .imported { throw OwnershipError.imported(run: name) }
            if Self.ownerAlive(r, now: now), r.writerPid != getpid() || r.writerHost != storeHostName {
                throw OwnershipError.ownedElsewhere(run: name, pid: r.writerPid ?? 0, host: r.writerHost ?? "?",
                                                    heartbeatAge: r.heartbeat.map { now - $0 })
            }
            let s = try c.statement("UPDATE run SET writerPid = ?, writerHost = ?, heartbeat = ?, status = 'running', endedAt = NULL WHERE id = ?")
            try s.bind([.int(Int64(getpid())), .text(storeHostName), .double(now), .int(r.id)])
            try s.run()
            return r.id
        }
    }

    /// One run, one trajectory: removes everything a run logged at or after `step` (scalars, their pyramid
    /// buckets and latest values, snapshots; checkpoints and probes after it), so a resumed run continues the
    /// history it resumed from instead of mixing in an abandoned attempt. Events stay: they are the log.
    /// Returns how many scalar rows were removed.
    @discardableResult
    public func truncate(runId: Int64, fromStep step: Int) throws -> Int {
        try write { c in
            let run = SQLValue.int(runId), from = SQLValue.int(Int64(step))
            try c.rows("DELETE FROM scalar WHERE runId = ? AND step >= ?", [run, from]) { _ in }
            let removed = c.changes
            try c.rows("DELETE FROM snapshot WHERE runId = ? AND step >= ?", [run, from]) { _ in }
            try c.rows("DELETE FROM checkpoint WHERE runId = ? AND step > ?", [run, from]) { _ in }
            try c.rows("DELETE FROM probe WHERE runId = ? AND step > ?", [run, from]) { _ in }
            guard removed > 0 else { return 0 }
            try Self.rebuildSummaries(c, runId: runId, fromStep: step)
            return removed
        }
    }

    /// The pyramid buckets from the one holding `step` on, and the `latest` rows, recomputed from `scalar`.
    static func rebuildSummaries(_ c: Connection, runId: Int64, fromStep step: Int) throws {
        let run = SQLValue.int(runId)
        for level in Pyramid.levels {
            let shift = Int64(Pyramid.shiftPerLevel * level)
            let start = (Int64(step) >> shift) << shift
            try c.rows("DELETE FROM scalarBucket WHERE runId = ? AND level = ? AND bucket >= ?",
                       [run, .int(Int64(level)), .int(Int64(step) >> shift)]) { _ in }
            try c.rows("""
                INSERT INTO scalarBucket (runId, keyId, level, bucket, stepMin, stepMax, first, last, min, max, count, nanCount)
                SELECT g.runId, g.keyId, ?, g.b, g.lo, g.hi,
                       (SELECT value FROM scalar WHERE runId = g.runId AND keyId = g.keyId AND step = g.lo),
                       (SELECT value FROM scalar WHERE runId = g.runId AND keyId = g.keyId AND step = g.hi),
                       g.mn, g.mx, g.n, g.nans
                FROM (SELECT runId, keyId, step >> ? AS b, min(step) AS lo, max(step) AS hi, min(value) AS mn,
                             max(value) AS mx, count(*) AS n, sum(value IS NULL) AS nans
                      FROM scalar WHERE runId = ? AND step >= ? GROUP BY keyId, step >> ?) g
                """, [.int(Int64(level)), .int(shift), run, .int(start), .int(shift)]) { _ in }
        }
        try c.rows("DELETE FROM latest WHERE runId = ?", [run]) { _ in }
        try c.rows("""
            INSERT INTO latest (runId, keyId, step, value, wallTime)
            SELECT s.runId, s.keyId, s.step, s.value, s.wallTime FROM scalar s
            JOIN (SELECT keyId, max(step) AS top FROM scalar WHERE runId = ? GROUP BY keyId) m
              ON s.keyId = m.keyId AND s.step = m.top WHERE s.runId = ?
            """, [run, run]) { _ in }
    }
}
