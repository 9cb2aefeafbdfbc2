import Tensor

// MARK: - Chart series
extension MetricsDatabase {
    /// The series `key` of a run reduced to at most `columns` chart columns, each keeping min and max so
    /// spikes survive. Reads the `scalarBucket` pyramid: about one row per column plus at most 2·15 rows per
    /// level at the edges of `xRange`, never the whole series (1M points → 200 columns reads ~300 rows).
    /// Column widths are ceil(span/columns) steps; a pyramid bucket never straddles into a third column,
    /// and each column reports the exact step range xMin...xMax of the points it holds.
    public func series(runId: Int64, key: String, columns: Int, xRange: ClosedRange<Int>? = nil) throws -> [ColumnBucket] {
        precondition(columns > 0, "columns must be positive, got \(columns)")
        return try with { c in
            guard let key = try Self.keyId(c, key),
                  let (lo, hi) = try Self.bounds(c, runId: runId, key: key, xRange: xRange) else { return [] }
            let colWidth = (hi - lo + columns) / columns        // ceil((hi - lo + 1) / columns)
            var maxLevel = 0
            for l in Pyramid.levels where Pyramid.width(level: l) <= colWidth { maxLevel = l }
            var cols: [Pyramid.Agg] = []
            var colIndex = -1
            let fold: (Pyramid.Agg) -> Void = { a in
                let ci = (a.stepMin - lo) / colWidth
                if ci == colIndex { cols[cols.count - 1].merge(a) } else { cols.append(a); colIndex = ci }
            }
            try Self.cover(c, runId: runId, key: key, lo: lo, hi: hi, level: maxLevel, fold)
            return cols.map(\.column)
        }
    }

    /// The id of a metric name, nil when no run has logged it.
    static func keyId(_ c: Connection, _ name: String) throws -> Int64? {
        try c.scalarInt("SELECT id FROM scalarKey WHERE name = ?", [.text(name)])
    }

    /// The first and last logged step of the series inside xRange (two index seeks), nil if none.
    private static func bounds(_ c: Connection, runId: Int64, key: Int64, xRange: ClosedRange<Int>?) throws -> (Int, Int)? {
        // Steps outside ±FileIntegers.max are damage (see RunSummary.damagedStep); leaving them out keeps the
        // bucket arithmetic (hi - lo + columns, hi + 1) far from overflow.
        let limit = FileIntegers.max
        let a = Int64(Swift.max(xRange?.lowerBound ?? -limit, -limit)), b = Int64(Swift.min(xRange?.upperBound ?? limit, limit))
        guard a <= b else { return nil }
        let args: [SQLValue] = [.int(runId), .int(key), .int(a), .int(b)]
        guard let lo = try c.scalarInt("SELECT step FROM scalar WHERE runId = ? AND keyId = ? AND step BETWEEN ? AND ? ORDER BY step LIMIT 1", args),
              let hi = try c.scalarInt("SELECT step FROM scalar WHERE runId = ? AND keyId = ? AND step BETWEEN ? AND ? ORDER BY step DESC LIMIT 1", args)
        else { return nil }
        return (Int(lo), Int(hi))
    }

    /// Feeds `fold` the aggregates covering lo...hi in ascending step order: whole buckets of `level` in the
    /// middle, finer levels (down to raw rows) for the partial edges.
    private static func cover(_ c: Connection, runId: Int64, key: Int64, lo: Int, hi: Int, level: Int,
                              _ fold: (Pyramid.Agg) -> Void) throws {
        guard lo <= hi else { return }
        if level > 0 && lo < 0 {   // bucket arithmetic below assumes steps ≥ 0; negative steps are rare: raw rows
            try cover(c, runId: runId, key: key, lo: lo, hi: Swift.min(hi, -1), level: 0, fold)
            try cover(c, runId: runId, key: key, lo: 0, hi: hi, level: level, fold)
            return
        }
        if level == 0 {
            try c.rows("SELECT step, value, wallTime FROM scalar WHERE runId = ? AND keyId = ? AND step BETWEEN ? AND ? ORDER BY step",
                       [.int(runId), .int(key), .int(Int64(lo)), .int(Int64(hi))]) { s in
                fold(Pyramid.Agg(step: Int(s.int(0)), value: s.double(1), wallTime: s.optionalDouble(2)))
            }
            return
        }
        let w = Pyramid.width(level: level)
        let firstFull = (lo + w - 1) / w * w            // first bucket start ≥ lo (steps are ≥ 0)
        let lastFullEnd = (hi + 1) / w * w - 1          // last bucket end ≤ hi
        guard firstFull <= lastFullEnd else {
            try cover(c, runId: runId, key: key, lo: lo, hi: hi, level: level - 1, fold)
            return
        }
        try cover(c, runId: runId, key: key, lo: lo, hi: firstFull - 1, level: level - 1, fold)
        try c.rows("""
            SELECT stepMin, stepMax, first, last, min, max, count, nanCount, sum, wallFirst, wallLast FROM scalarBucket
            WHERE runId = ? AND keyId = ? AND level = ? AND bucket BETWEEN ? AND ? ORDER BY bucket
            """, [.int(runId), .int(key), .int(Int64(level)),
                  .int(Int64(Pyramid.bucket(step: firstFull, level: level))),
                  .int(Int64(Pyramid.bucket(step: lastFullEnd, level: level)))]) { s in
            fold(Pyramid.Agg(stepMin: Int(s.int(0)), stepMax: Int(s.int(1)), first: s.double(2), last: s.double(3),
                             min: s.double(4), max: s.double(5), count: Int(s.int(6)), nanCount: Int(s.int(7)),
                             sum: s.double(8), wallFirst: s.optionalDouble(9), wallLast: s.optionalDouble(10)))
        }
        try cover(c, runId: runId, key: key, lo: lastFullEnd + 1, hi: hi, level: level - 1, fold)
    }

    /// Every point of a series in step order (export, tests). Streams; memory is the returned array.
    public func points(runId: Int64, key: String) throws -> [ScalarPoint] {
        var out: [ScalarPoint] = []
        try with { c in
            guard let kid = try Self.keyId(c, key) else { return }
            try c.rows("SELECT step, value, wallTime FROM scalar WHERE runId = ? AND keyId = ? ORDER BY step",
                       [.int(runId), .int(kid)]) { s in
                out.append(ScalarPoint(runId: runId, key: key, step: Int(s.int(0)), value: s.double(1), wallTime: s.optionalDouble(2)))
            }
        }
        return out
    }

    /// Calls `body` for every point of a run ordered by step then key, without collecting them (export).
    public func forEachPoint(runId: Int64, _ body: (ScalarPoint) throws -> Void) throws {
        try with { c in
            try c.rows("SELECT k.name, s.step, s.value, s.wallTime FROM scalar s JOIN scalarKey k ON k.id = s.keyId WHERE s.runId = ? ORDER BY s.step, k.name", [.int(runId)]) { s in
                try body(ScalarPoint(runId: runId, key: s.text(0), step: Int(s.int(1)), value: s.double(2), wallTime: s.optionalDouble(3)))
            }
        }
    }
}
