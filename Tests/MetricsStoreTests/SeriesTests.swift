import Foundation
import Testing
import SiamTrain
@testable import MetricsStore

@Suite("MetricsStore chart series")
struct SeriesTests {
    /// Writes `values` at `steps` through the shared insert path, in `chunks` transactions.
    static func fill(_ db: MetricsDatabase, runId: Int64, key: String, steps: [Int], values: [Double], chunks: Int) throws {
        let per = (steps.count + chunks - 1) / chunks
        for c in stride(from: 0, to: steps.count, by: per) {
            try db.write { conn in
                var ins = try ScalarInsert(conn)
                for i in c..<Swift.min(c + per, steps.count) {
                    try ins.add(runId: runId, key: key, step: steps[i], value: values[i], wallTime: nil)
                }
                try ins.finish(conn)
            }
        }
    }

    /// Checks each column against the raw points: exact count, min, max, first, last over xMin...xMax,
    /// columns ordered and disjoint, and every point in range covered.
    static func check(_ cols: [ColumnBucket], raw: [(Int, Double)], range: ClosedRange<Int>, columns: Int) {
        let inRange = raw.filter { range.contains($0.0) }
        #expect(cols.count <= columns)
        #expect(cols.map(\.count).reduce(0, +) == inRange.count, "points covered")
        var prev = Int.min
        for c in cols {
            #expect(c.xMin > prev && c.xMin <= c.xMax)
            prev = c.xMax
            let pts = inRange.filter { $0.0 >= c.xMin && $0.0 <= c.xMax }
            let finite = pts.map(\.1).filter { !$0.isNaN }
            #expect(c.count == pts.count)
            #expect(c.nanCount == pts.count - finite.count)
            #expect(same(c.min, finite.min() ?? .nan) && same(c.max, finite.max() ?? .nan), "column \(c.xMin)...\(c.xMax)")
            #expect(same(c.first, pts.first!.1) && same(c.last, pts.last!.1))
            // The pyramid's sums make the mean real: the mean of the non-NaN values, not (first + last) / 2.
            let mean = finite.isEmpty ? Double.nan : finite.reduce(0, +) / Double(finite.count)
            #expect(same(c.mean, mean) || abs(c.mean - mean) <= 1e-9 * Swift.max(1, abs(mean)), "mean of \(c.xMin)...\(c.xMax)")
        }
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

    @Test("pyramid columns equal brute force over raw rows (gaps, NaN, ±Inf, spikes, sub-ranges, many transactions)",
          arguments: [(1, 3000), (7, 3000), (200, 70_000), (33, 70_000)])
    func againstBruteForce(columns: Int, n: Int) throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "s", preset: "", configJSON: "{}", source: .siamon)
        var rng = SplitMix(seed: UInt64(n * 31 + columns))
        var steps: [Int] = [], values: [Double] = []
        var s = 0
        for i in 0..<n {
            s += rng.next() % 50 == 0 ? 1 + Int(rng.next() % 300) : 1          // occasional gaps
            steps.append(s)
            let r = rng.next() % 1000
            values.append(r == 0 ? .nan : r == 1 ? .infinity : r == 2 ? -.infinity : r == 3 ? 1e6 : sin(Double(i) * 0.01))
        }
        try Self.fill(db, runId: id, key: "loss", steps: steps, values: values, chunks: 37)
        let raw = Array(zip(steps, values))
        let full = try db.series(runId: id, key: "loss", columns: columns)
        Self.check(full, raw: raw, range: steps.first!...steps.last!, columns: columns)
        #expect(full.count >= Swift.min(columns, n) / 2, "too few columns: \(full.count)")
        let a = steps[n / 7] + 5, b = steps[n * 5 / 6] - 3
        Self.check(try db.series(runId: id, key: "loss", columns: columns, xRange: a...b), raw: raw, range: a...b, columns: columns)
        #expect(try db.series(runId: id, key: "other", columns: columns).isEmpty)
    }

    @Test("out-of-order and re-logged steps keep the envelope")
    func outOfOrder() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "o", preset: "", configJSON: "{}", source: .siamon)
        let steps = Array((0..<5000).reversed())
        try Self.fill(db, runId: id, key: "k", steps: steps, values: steps.map { Double($0 % 97) }, chunks: 5)
        let cols = try db.series(runId: id, key: "k", columns: 10)
        Self.check(cols, raw: zip(steps, steps.map { Double($0 % 97) }).sorted { $0.0 < $1.0 }, range: 0...4999, columns: 10)
    }
}

/// Deterministic test randomness.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
}
