import Foundation

/// Writes scalar rows plus their pyramid buckets and `latest` rows, inside the caller's transaction.
/// Shared by the live writer and bulk import, so both keep the summary tables the readers rely on.
struct ScalarInsert {
    private struct SeriesKey: Hashable { let runId: Int64; let key: String; let keyId: Int64 }
    private struct Latest { var step: Int; var value: Double; var wallTime: Double? }
    // Per-series state in arrays; `slot` finds a series by a short linear scan from the last hit (logs cycle
    // through a handful of keys), so the hot path hashes no strings.
    private var series: [SeriesKey] = []
    private var builders: [Pyramid.SeriesBuilder] = []
    private var latest: [Latest?] = []
    private var lastSlot = 0
    // Rows wait here until `rowsPerInsert` of them go in one multi-row INSERT (fewer VDBE runs per row).
    private var pending: [(slot: Int, step: Int, value: Double, wallTime: Double?)] = []
    private let single: Statement, multi: Statement
    private let connection: Connection
    static let rowsPerInsert = 32

    init(_ c: Connection) throws {
        // OR REPLACE: a re-logged step replaces its value and gets a new rowid, so pollers see the change.
        connection = c
        let head = "INSERT OR REPLACE INTO scalar (runId, keyId, step, value, wallTime) VALUES "
        single = try c.statement(head + "(?, ?, ?, ?, ?)")
        multi = try c.statement(head + Array(repeating: "(?, ?, ?, ?, ?)", count: Self.rowsPerInsert).joined(separator: ", "))
        pending.reserveCapacity(Self.rowsPerInsert)
    }

    mutating func add(runId: Int64, key: String, step: Int, value: Double, wallTime: Double?) throws {
        let k = try slot(runId, key)
        pending.append((k, step, value, wallTime))
        if pending.count == Self.rowsPerInsert { try insertPending(multi) }
        builders[k].add(step: step, value: value, wallTime: wallTime)
        if let l = latest[k], l.step > step { return }
        latest[k] = Latest(step: step, value: value, wallTime: wallTime)
    }

    /// Inserts the pending rows: all in one statement when `stmt` is the multi-row one, else one by one.
    private mutating func insertPending(_ stmt: Statement) throws {
        let perStatement = stmt === multi ? Self.rowsPerInsert : 1
        var base: Int32 = 0
        for (n, r) in pending.enumerated() {
            stmt.bindInt(series[r.slot].runId, at: base + 1)
            stmt.bindInt(series[r.slot].keyId, at: base + 2)
            stmt.bindInt(Int64(r.step), at: base + 3)
            stmt.bindDouble(r.value, at: base + 4)
            if let w = r.wallTime { stmt.bindDouble(w, at: base + 5) } else { try stmt.bind(.null, at: base + 5) }
            base += 5
            if (n + 1) % perStatement == 0 { try stmt.run(); base = 0 }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func slot(_ runId: Int64, _ key: String) throws -> Int {
        let n = series.count
        for d in 0..<n {
            let i = (lastSlot + d) % n
            if series[i].runId == runId && series[i].key == key { lastSlot = i; return i }
        }
        series.append(SeriesKey(runId: runId, key: key, keyId: try Self.keyId(connection, key)))
        builders.append(Pyramid.SeriesBuilder())
        latest.append(nil)
        lastSlot = n
        return n
    }

    /// The id of metric name `key` in `scalarKey`, adding it when new (inside the caller's transaction).
    static func keyId(_ c: Connection, _ key: String) throws -> Int64 {
        if let id = try c.scalarInt("SELECT id FROM scalarKey WHERE name = ?", [.text(key)]) { return id }
        let ins = try c.statement("INSERT INTO scalarKey (name) VALUES (?)")
        try ins.bind([.text(key)])
        try ins.run()
        return c.lastInsertRowID
    }

    /// Writes the accumulated buckets and latest rows. Call once before committing.
    mutating func finish(_ c: Connection) throws {
        try insertPending(single)
        let up = try c.statement("""
            INSERT INTO scalarBucket (runId, keyId, level, bucket, stepMin, stepMax, first, last, min, max, count, nanCount,
                                      sum, wallFirst, wallLast)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (runId, keyId, level, bucket) DO UPDATE SET
              first = CASE WHEN excluded.stepMin < stepMin THEN excluded.first ELSE first END,
              last = CASE WHEN excluded.stepMax > stepMax THEN excluded.last ELSE last END,
              wallFirst = CASE WHEN excluded.stepMin < stepMin THEN excluded.wallFirst ELSE wallFirst END,
              wallLast = CASE WHEN excluded.stepMax > stepMax THEN excluded.wallLast ELSE wallLast END,
              sum = sum + excluded.sum,
              stepMin = min(stepMin, excluded.stepMin),
              stepMax = max(stepMax, excluded.stepMax),
              min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),
              max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),
              count = count + excluded.count,
              nanCount = nanCount + excluded.nanCount
            """)
        for (i, k) in series.enumerated() {
            for (level, bucket, a) in builders[i].drain() {
                up.bindInt(k.runId, at: 1); up.bindInt(k.keyId, at: 2)
                up.bindInt(Int64(level), at: 3); up.bindInt(Int64(bucket), at: 4)
                up.bindInt(Int64(a.stepMin), at: 5); up.bindInt(Int64(a.stepMax), at: 6)
                up.bindDouble(a.first, at: 7); up.bindDouble(a.last, at: 8)
                up.bindDouble(a.min, at: 9); up.bindDouble(a.max, at: 10)
                up.bindInt(Int64(a.count), at: 11); up.bindInt(Int64(a.nanCount), at: 12)
                up.bindDouble(a.sum, at: 13)
                if let w = a.wallFirst { up.bindDouble(w, at: 14) } else { try up.bind(.null, at: 14) }
                if let w = a.wallLast { up.bindDouble(w, at: 15) } else { try up.bind(.null, at: 15) }
                try up.run()
            }
        }
        let lt = try c.statement("""
            INSERT INTO latest (runId, keyId, step, value, wallTime) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (runId, keyId) DO UPDATE SET step = excluded.step, value = excluded.value,
              wallTime = excluded.wallTime WHERE excluded.step >= latest.step
            """)
        for (k, l) in zip(series, latest) {
            guard let l else { continue }
            try lt.bind([.int(k.runId), .int(k.keyId), .int(Int64(l.step)), .double(l.value), l.wallTime.map { .double($0) } ?? .null])
            try lt.run()
        }
        series.removeAll(); builders.removeAll(); latest.removeAll(); lastSlot = 0
    }
}

