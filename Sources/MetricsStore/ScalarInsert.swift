/// Writes scalar rows plus their pyramid buckets and `latest` rows, inside the caller's transaction.
/// Shared by the live writer and bulk import, so both keep the summary tables the readers rely on.
struct ScalarInsert {
    private struct SeriesKey: Hashable { let runId: Int64; let key: String }
    private struct Latest { var step: Int; var value: Double; var wallTime: Double? }
    private var builders: [SeriesKey: Pyramid.SeriesBuilder] = [:]
    private var latest: [SeriesKey: Latest] = [:]
    private let insert: Statement

    init(_ c: Connection) throws {
        // OR REPLACE: a re-logged step replaces its value and gets a new rowid, so pollers see the change.
        insert = try c.statement("INSERT OR REPLACE INTO scalar (runId, key, step, value, wallTime) VALUES (?, ?, ?, ?, ?)")
    }

    mutating func add(runId: Int64, key: String, step: Int, value: Double, wallTime: Double?) throws {
        insert.bindInt(runId, at: 1)
        insert.bindText(key, at: 2)
        insert.bindInt(Int64(step), at: 3)
        insert.bindDouble(value, at: 4)
        if let w = wallTime { insert.bindDouble(w, at: 5) } else { try insert.bind(.null, at: 5) }
        try insert.run()
        let k = SeriesKey(runId: runId, key: key)
        builders[k, default: Pyramid.SeriesBuilder()].add(step: step, value: value)
        if let l = latest[k], l.step > step { return }
        latest[k] = Latest(step: step, value: value, wallTime: wallTime)
    }

    /// Writes the accumulated buckets and latest rows. Call once before committing.
    mutating func finish(_ c: Connection) throws {
        let up = try c.statement("""
            INSERT INTO scalarBucket (runId, key, level, bucket, stepMin, stepMax, first, last, min, max, count, nanCount)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (runId, key, level, bucket) DO UPDATE SET
              first = CASE WHEN excluded.stepMin < stepMin THEN excluded.first ELSE first END,
              last = CASE WHEN excluded.stepMax > stepMax THEN excluded.last ELSE last END,
              stepMin = min(stepMin, excluded.stepMin),
              stepMax = max(stepMax, excluded.stepMax),
              min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),
              max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),
              count = count + excluded.count,
              nanCount = nanCount + excluded.nanCount
            """)
        for (k, var b) in builders {
            for (level, bucket, a) in b.drain() {
                up.bindInt(k.runId, at: 1); up.bindText(k.key, at: 2)
                up.bindInt(Int64(level), at: 3); up.bindInt(Int64(bucket), at: 4)
                up.bindInt(Int64(a.stepMin), at: 5); up.bindInt(Int64(a.stepMax), at: 6)
                up.bindDouble(a.first, at: 7); up.bindDouble(a.last, at: 8)
                up.bindDouble(a.min, at: 9); up.bindDouble(a.max, at: 10)
                up.bindInt(Int64(a.count), at: 11); up.bindInt(Int64(a.nanCount), at: 12)
                try up.run()
            }
        }
        builders.removeAll(keepingCapacity: true)
        let lt = try c.statement("""
            INSERT INTO latest (runId, key, step, value, wallTime) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (runId, key) DO UPDATE SET step = excluded.step, value = excluded.value,
              wallTime = excluded.wallTime WHERE excluded.step >= latest.step
            """)
        for (k, l) in latest {
            try lt.bind([.int(k.runId), .text(k.key), .int(Int64(l.step)), .double(l.value), l.wallTime.map { .double($0) } ?? .null])
            try lt.run()
        }
        latest.removeAll(keepingCapacity: true)
    }
}
