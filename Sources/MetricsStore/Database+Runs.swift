import Foundation
import RunCore
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// This host's name, to decide whether a writer's pid can be checked with kill(pid, 0).
public let storeHostName: String = {
    var buf = [CChar](repeating: 0, count: 256)
    gethostname(&buf, buf.count - 1)
    return String(cString: buf)
}()

// MARK: - Creating runs and changing their status
extension MetricsDatabase {
    /// Creates a run owned by this process (status running, writerPid = getpid()). Returns its id.
    /// Throws `RunNameError` (the one run-name rule, RunName) or `duplicateRun`, each one line.
    @discardableResult
    public func createRun(name: String, preset: String, configJSON: String, source: RunSource,
                          parent: RunParent? = nil, now: Double = Date().timeIntervalSince1970) throws -> Int64 {
        try RunName.validate(name)
        return try write { c in
            if try c.scalarInt("SELECT id FROM run WHERE name = ?", [.text(name)]) != nil {
                throw StoreError.duplicateRun(name: name)
            }
            let s = try c.statement("""
                INSERT INTO run (name, status, preset, config, createdAt, parentRunId, parentStep, source,
                                 writerPid, writerHost, heartbeat)
                VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try s.bind([.text(name), .text(preset), .text(configJSON), .double(now),
                        parent.map { .int($0.runId) } ?? .null, parent.map { .int(Int64($0.step)) } ?? .null,
                        .text(source.rawValue), .int(Int64(getpid())), .text(storeHostName), .double(now)])
            try s.run()
            return c.lastInsertRowID
        }
    }

    /// Sets a run's status; terminal states (done/failed/stopped/interrupted) also set endedAt.
    public func setStatus(runId: Int64, _ status: RunStatus, now: Double = Date().timeIntervalSince1970) throws {
        try write { c in try Self.setStatus(c, runId: runId, status, now: now) }
    }

    static func setStatus(_ c: Connection, runId: Int64, _ status: RunStatus, now: Double) throws {
        let s = try c.statement("UPDATE run SET status = ?, endedAt = ?, heartbeat = ? WHERE id = ?")
        try s.bind([.text(status.rawValue), status.isLive ? .null : .double(now), .double(now), .int(runId)])
        try s.run()
    }

    public func runId(named name: String) throws -> Int64 {
        guard let id = try with({ c in try c.scalarInt("SELECT id FROM run WHERE name = ?", [.text(name)]) }) else {
            throw StoreError.noSuchRun(name: name)
        }
        return id
    }
}

// MARK: - Vanished writers
extension MetricsDatabase {
    /// Seconds without a heartbeat after which a writer on another host counts as gone.
    public static let staleHeartbeatSeconds = 30.0

    /// Whether a live-status run's writer is gone: on this host its pid is dead (kill(pid, 0) → ESRCH);
    /// elsewhere its heartbeat is older than `staleHeartbeatSeconds`.
    public static func writerVanished(_ r: RunSummary, now: Double) -> Bool {
        guard r.status.isLive else { return false }
        if let pid = r.writerPid, r.writerHost == storeHostName {
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        guard let hb = r.heartbeat else { return true }
        return now - hb > staleHeartbeatSeconds
    }

    /// Marks every live run whose writer vanished as `interrupted` (with a crash-detected event). Needs a
    /// read-write database; read-only watchers use `runs()`, which reports such runs as interrupted anyway.
    @discardableResult
    public func markVanishedWriters(now: Double = Date().timeIntervalSince1970) throws -> [String] {
        let gone = try runs(now: now, resolveVanished: false).filter { Self.writerVanished($0, now: now) }
        guard !gone.isEmpty else { return [] }
        try write { c in
            for r in gone {
                // Re-checked under the write lock: the writer may have finished in between.
                let s = try c.statement("UPDATE run SET status = 'interrupted', endedAt = ? WHERE id = ? AND status IN ('running','paused')")
                try s.bind([.double(now), .int(r.id)])
                try s.run()
                guard c.changes > 0 else { continue }
                let lastStep = try c.scalarInt("SELECT max(step) FROM latest WHERE runId = ? AND step BETWEEN 0 AND \(FileIntegers.max)", [.int(r.id)]) ?? 0
                try Self.insertEvent(c, runId: r.id, step: Int(lastStep), wallTime: now, kind: RunEvent.Kind.crashDetected.rawValue,
                                     detail: "{\"writerPid\":\(r.writerPid ?? 0)}")
                let x = try c.statement("""
                    UPDATE command SET state = 'expired', doneAt = ?, result = ? WHERE runId = ? AND state IN ('pending','claimed')
                    """)
                try x.bind([.double(now), .text("owner not responding since \(Self.isoTime(r.heartbeat))"), .int(r.id)])
                try x.run()
            }
        }
        return gone.map(\.name)
    }

    static func insertEvent(_ c: Connection, runId: Int64, step: Int, wallTime: Double, kind: String, detail: String) throws {
        let s = try c.statement("INSERT INTO event (runId, step, wallTime, kind, detail) VALUES (?, ?, ?, ?, ?)")
        try s.bind([.int(runId), .int(Int64(step)), .double(wallTime), .text(kind), .text(detail)])
        try s.run()
    }
}

// MARK: - Listing
extension MetricsDatabase {
    /// Every run, oldest first. With `resolveVanished`, a live run whose writer is gone is reported as
    /// interrupted even when this connection is read-only and cannot mark it.
    public func runs(now: Double = Date().timeIntervalSince1970, resolveVanished: Bool = true) throws -> [RunSummary] {
        let probes = try latestProbes()
        var out: [RunSummary] = []
        try with { c in
            try c.rows("""
                SELECT r.id, r.name, r.status, r.preset, r.createdAt, r.endedAt, r.source, r.parentRunId,
                       r.parentStep, r.writerPid, r.writerHost, r.heartbeat,
                       (SELECT max(step) FROM latest WHERE runId = r.id AND step BETWEEN 0 AND \(FileIntegers.max)),
                       (SELECT value FROM latest WHERE runId = r.id AND keyId = (SELECT id FROM scalarKey WHERE name = 'loss')),
                       (SELECT count(*) FROM latest WHERE runId = r.id AND keyId = (SELECT id FROM scalarKey WHERE name = 'loss')),
                       (SELECT step FROM latest WHERE runId = r.id AND (step < 0 OR step > \(FileIntegers.max)) LIMIT 1)
                FROM run r ORDER BY r.id
                """) { s in
                let id = s.int(0)
                var r = RunSummary(
                    id: id, name: s.text(1), status: RunStatus(rawValue: s.text(2)) ?? .failed, preset: s.text(3),
                    steps: s.optionalInt(12).map { Int($0) + 1 } ?? 0, lastLoss: s.int(14) > 0 ? s.double(13) : nil,
                    createdAt: s.double(4), endedAt: s.optionalDouble(5),
                    source: RunSource(rawValue: s.text(6)) ?? .siamon,
                    parent: s.optionalInt(7).map { RunParent(runId: $0, step: Int(s.optionalInt(8) ?? 0)) },
                    latestProbe: probes[id], writerPid: s.optionalInt(9).map { Int32(truncatingIfNeeded: $0) },
                    writerHost: s.optionalText(10), heartbeat: s.optionalDouble(11),
                    damagedStep: s.optionalInt(15).map { Int($0) })
                if resolveVanished && Self.writerVanished(r, now: now) { r.status = .interrupted }
                out.append(r)
            }
        }
        return out
    }

    public func run(named name: String) throws -> RunSummary {
        guard let r = try runs().first(where: { $0.name == name }) else { throw StoreError.noSuchRun(name: name) }
        return r
    }

    private func latestProbes() throws -> [Int64: ProbeRecord] {
        var out: [Int64: ProbeRecord] = [:]
        for p in try probes(sql: "WHERE id IN (SELECT max(id) FROM probe GROUP BY runId)", []) { out[p.runId] = p }
        return out
    }

    /// The config JSON of each run, for the compare view's table of differing hyper-parameters.
    public func configs(runIds: [Int64]) throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        try with { c in
            for id in runIds {
                try c.rows("SELECT config FROM run WHERE id = ?", [.int(id)]) { s in out[id] = s.text(0) }
            }
        }
        return out
    }

    /// Every probe row of the given runs, by run then step.
    public func probes(runIds: [Int64]) throws -> [ProbeRecord] {
        guard !runIds.isEmpty else { return [] }
        let marks = runIds.map { _ in "?" }.joined(separator: ",")
        return try probes(sql: "WHERE runId IN (\(marks)) ORDER BY runId, step, id", runIds.map { .int($0) })
    }

    private func probes(sql: String, _ args: [SQLValue]) throws -> [ProbeRecord] {
        var out: [ProbeRecord] = []
        try with { c in
            try c.rows("SELECT runId, step, linear, knn, protocol, wallTime FROM probe \(sql)", args) { s in
                out.append(ProbeRecord(runId: s.int(0), step: Int(s.int(1)), linear: s.optionalDouble(2),
                                       knn: s.optionalDouble(3), protocolName: s.text(4), wallTime: s.double(5)))
            }
        }
        return out
    }

    public func events(runId: Int64) throws -> [EventRecord] {
        var out: [EventRecord] = []
        try with { c in
            try c.rows("SELECT id, runId, step, wallTime, kind, detail FROM event WHERE runId = ? ORDER BY step, id",
                       [.int(runId)]) { s in out.append(Self.eventRow(s)) }
        }
        return out
    }

    static func eventRow(_ s: Statement) -> EventRecord {
        EventRecord(id: s.int(0), runId: s.int(1), step: Int(s.int(2)), wallTime: s.double(3), kind: s.text(4), detail: s.text(5))
    }

    public func checkpoints(runId: Int64) throws -> [CheckpointRecord] {
        var out: [CheckpointRecord] = []
        try with { c in
            try c.rows("SELECT runId, step, path, bytes, wallTime FROM checkpoint WHERE runId = ? ORDER BY step, id",
                       [.int(runId)]) { s in
                out.append(CheckpointRecord(runId: s.int(0), step: Int(s.int(1)), path: s.text(2),
                                            bytes: Int(s.int(3)), wallTime: s.double(4)))
            }
        }
        return out
    }

    /// The keys logged for a run (from the `latest` summary, so no history scan).
    public func keys(runId: Int64) throws -> [String] {
        var out: [String] = []
        try with { c in try c.rows("SELECT k.name FROM latest l JOIN scalarKey k ON k.id = l.keyId WHERE l.runId = ? ORDER BY k.name", [.int(runId)]) { s in out.append(s.text(0)) } }
        return out
    }
}
