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
}
