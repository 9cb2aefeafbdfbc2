import Foundation
import Testing
@testable import MetricsStore

@Suite("MetricsStore migrations")
struct MigrationTests {
    /// A database written by the v1 schema (a TEXT key on every row) opens with this
    /// build: v2 moves the keys to `scalarKey`, and every point, pyramid bucket and latest row survives.
    @Test("a v1 database with data upgrades to the current schema without losing rows")
    func upgradeFromV1() throws {
        let t = TempDir("mig")
        var steps: [Int] = [], values: [Double] = []
        for s in 0..<300 { steps.append(s); values.append(s == 7 ? .nan : s == 8 ? .infinity : Double((s * 37) % 101)) }
        do {
            let c = try Connection(path: t.db, readOnly: false)
            try Migrator.migrate(c, upTo: "2026-11-26 v1 core tables")
            try c.exec("INSERT INTO run (id, name, status, createdAt, source) VALUES (1, 'old', 'done', 0, 'pytorch')")
            let ins = try c.statement("INSERT INTO scalar (runId, key, step, value, wallTime) VALUES (1, ?, ?, ?, ?)")
            let bucket = try c.statement("INSERT INTO scalarBucket VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for key in ["loss", "lr"] {
                var b = Pyramid.SeriesBuilder()
                for (s, v) in zip(steps, values) {
                    try ins.bind([.text(key), .int(Int64(s)), .double(key == "lr" ? -v : v), .double(1e9 + Double(s))]); try ins.run()
                    b.add(step: s, value: key == "lr" ? -v : v)
                }
                for (level, bk, a) in b.drain() {
                    try bucket.bind([.text(key), .int(Int64(level)), .int(Int64(bk)), .int(Int64(a.stepMin)), .int(Int64(a.stepMax)),
                                     .double(a.first), .double(a.last), .double(a.min), .double(a.max),
                                     .int(Int64(a.count)), .int(Int64(a.nanCount))])
                    try bucket.run()
                }
                try c.exec("INSERT INTO latest VALUES (1, '\(key)', 299, \(key == "lr" ? -values[299] : values[299]), 1000000299)")
            }
            c.close()
        }
        let db = try MetricsDatabase(path: t.db)
        #expect(try db.appliedMigrations() == Schema.migrations.map(\.name))
        #expect(try db.schemaSQL().joined(separator: ";\n") + ";\n" == readAll(schemaSnapshotPath))
        #expect(try db.keys(runId: 1) == ["loss", "lr"])
        let loss = try db.points(runId: 1, key: "loss")
        #expect(loss.count == 300 && loss[7].value.isNaN && loss[8].value == .infinity && loss[299].wallTime == 1e9 + 299)
        #expect(Array(try db.points(runId: 1, key: "lr").map(\.value).dropFirst(9)) == values.dropFirst(9).map { -$0 })
        let summary = try db.run(named: "old")
        #expect(summary.steps == 300 && summary.lastLoss == values[299])
        SeriesTests.check(try db.series(runId: 1, key: "loss", columns: 7), raw: Array(zip(steps, values)), range: 0...299, columns: 7)
        // New writes after the upgrade go to the same series.
        try db.write { c in
            var ins = try ScalarInsert(c)
            try ins.add(runId: 1, key: "loss", step: 300, value: 0.5, wallTime: nil)
            try ins.finish(c)
        }
        #expect(try db.points(runId: 1, key: "loss").count == 301)
        #expect(try db.integrityCheck() == "ok")
    }

    /// A database written before v4 (buckets without sums or wall times) opens with this build: v4 fills each
    /// bucket's sum and wall times from its raw rows, so means and time axes are right for old data too.
    @Test("a v3 database gets pyramid sums and wall times from its raw rows")
    func upgradeFromV3() throws {
        let t = TempDir("mig4")
        var raw: [(Int, Double)] = []
        for s in 0..<5000 { raw.append((s, s == 11 ? .nan : s == 12 ? .infinity : s == 13 ? -.infinity : sin(Double(s)) * 3 + Double(s % 7))) }
        do {
            let c = try Connection(path: t.db, readOnly: false)
            try Migrator.migrate(c, upTo: "2026-12-06 v3 command channel")
            try c.exec("INSERT INTO run (id, name, status, createdAt, source) VALUES (1, 'old', 'done', 0, 'siamon')")
            try c.exec("INSERT INTO scalarKey (id, name) VALUES (1, 'loss')")
            let ins = try c.statement("INSERT INTO scalar (runId, keyId, step, value, wallTime) VALUES (1, 1, ?, ?, ?)")
            let bucket = try c.statement("INSERT INTO scalarBucket VALUES (1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            var b = Pyramid.SeriesBuilder()
            for (s, v) in raw {
                try ins.bind([.int(Int64(s)), .double(v), .double(1e9 + Double(s) * 0.5)]); try ins.run()
                b.add(step: s, value: v)
            }
            for (level, bk, a) in b.drain() {
                try bucket.bind([.int(Int64(level)), .int(Int64(bk)), .int(Int64(a.stepMin)), .int(Int64(a.stepMax)),
                                 .double(a.first), .double(a.last), .double(a.min), .double(a.max),
                                 .int(Int64(a.count)), .int(Int64(a.nanCount))])
                try bucket.run()
            }
            c.close()
        }
        let db = try MetricsDatabase(path: t.db)
        #expect(try db.appliedMigrations() == Schema.migrations.map(\.name))
        #expect(try db.schemaSQL().joined(separator: ";\n") + ";\n" == readAll(schemaSnapshotPath))
        // Columns away from the ±Infinity steps have finite means equal to brute force.
        let cols = try db.series(runId: 1, key: "loss", columns: 9, xRange: 256...4999)
        SeriesTests.check(cols, raw: raw, range: 256...4999, columns: 9)
        for c in cols {
            #expect(c.wallFirst == 1e9 + Double(c.xMin) * 0.5 && c.wallLast == 1e9 + Double(c.xMax) * 0.5)
        }
        // New writes after the upgrade keep the sums.
        try db.write { c in
            var ins = try ScalarInsert(c)
            try ins.add(runId: 1, key: "loss", step: 5000, value: 100, wallTime: 2e9)
            try ins.finish(c)
        }
        let tail = try db.series(runId: 1, key: "loss", columns: 1, xRange: 4096...5000)
        let expected = raw.filter { $0.0 >= 4096 }.map(\.1).reduce(100, +) / 905
        #expect(tail.count == 1 && abs(tail[0].mean - expected) < 1e-9 && tail[0].wallLast == 2e9)
        #expect(try db.integrityCheck() == "ok")
    }
}
