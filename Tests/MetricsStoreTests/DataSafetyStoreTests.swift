import Foundation
import SiamTrain
import Testing
@testable import MetricsStore

/// The store's side of data safety: steps stay in `FileIntegers`, a damaged row does not break reading,
/// a damaged line fails wherever it is, and an interrupted import or export writes nothing.
@Suite("MetricsStore data safety")
struct DataSafetyStoreTests {
    @Test("csv steps: 2^53-1 is accepted, 2^53, 2^63-1, -1 and 1e300 are refused with file:line")
    func csvStepRange() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        try "step,wall_time,loss\n9007199254740991,1,1.0\n".write(toFile: t.file("top.csv"), atomically: true, encoding: .utf8)
        #expect(try Importer.importFile(t.file("top.csv"), name: "top", into: db).rows == 1)
        #expect(try db.runs().first?.steps == 9_007_199_254_740_992)
        for bad in ["9007199254740992", "9223372036854775807", "-1", "1e300", "-9223372036854775808"] {
            try "step,wall_time,loss\n\(bad),1,1.0\n".write(toFile: t.file("bad.csv"), atomically: true, encoding: .utf8)
            #expect(throws: StoreError.badInput(file: t.file("bad.csv"), line: 2,
                                                detail: "bad step '\(bad)' (a whole number from 0 to 2^53-1); fix or delete the line and import again")) {
                try Importer.importFile(t.file("bad.csv"), name: "bad", into: db)
            }
        }
        #expect(try db.runs().map(\.name) == ["top"])
    }

    @Test("a broken last line that ends in a newline is damage; only one without a newline is a torn write")
    func lastLineRules() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let good = "{\"step\": 0, \"loss\": 1.0}\n"
        try (good + "{\"step\": 1, \"loss\": }\n").write(toFile: t.file("damaged.jsonl"), atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try Importer.importFile(t.file("damaged.jsonl"), name: "d", into: db) }
        try (good + "{\"step\": 1, \"lo").write(toFile: t.file("torn.jsonl"), atomically: true, encoding: .utf8)
        let r = try Importer.importFile(t.file("torn.jsonl"), name: "t", into: db)
        #expect(r.rows == 1 && r.warnings.count == 1 && r.warnings[0].contains("torn.jsonl:2"))
        try "{\"step\": -1, \"loss\": 1.0}\n".write(toFile: t.file("one.jsonl"), atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try Importer.importFile(t.file("one.jsonl"), name: "o", into: db) }
        #expect(try db.runs().map(\.name) == ["t"])
    }

    @Test("a stored step beyond 2^53-1 is left out of steps and charts, named in damagedStep, and never traps")
    func damagedRowsRead() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        try "step,wall_time,loss\n1,1,1.0\n2,1,2.0\n".write(toFile: t.file("ok.csv"), atomically: true, encoding: .utf8)
        let id = try Importer.importFile(t.file("ok.csv"), name: "r", into: db).runId
        try db.with { c in
            try c.exec("UPDATE scalar SET step = 9223372036854775807 WHERE step = 2")
            try c.exec("UPDATE latest SET step = 9223372036854775807 WHERE step = 2")
        }
        let r = try #require(try db.runs().first)
        #expect(r.damagedStep == Int.max && r.steps == 0)
        #expect(r.damageWarning?.hasPrefix("warning: run 'r' holds step 9223372036854775807") == true)
        let columns = try db.series(runId: id, key: "loss", columns: 10)
        #expect(columns.count == 1 && columns[0].xMin == 1)
        #expect(try db.series(runId: id, key: "loss", columns: 10, xRange: Int.min...Int.max).count == 1)
    }

    @Test("an interrupted export leaves the previous file as it was and no temporary file")
    func interruptedExport() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        var text = "step,wall_time,loss\n"
        for i in 0..<20_000 { text += "\(i),1,\(i)\n" }
        try text.write(toFile: t.file("in.csv"), atomically: true, encoding: .utf8)
        let id = try Importer.importFile(t.file("in.csv"), name: "r", into: db).runId
        try "previous\n".write(toFile: t.file("out.csv"), atomically: true, encoding: .utf8)
        #expect(throws: StoreError.interrupted(what: "export to \(t.file("out.csv"))", detail: "no file was written")) {
            try Exporter.export(runId: id, from: db, format: .csv, to: t.file("out.csv"), cancelled: { true })
        }
        #expect(try String(contentsOfFile: t.file("out.csv"), encoding: .utf8) == "previous\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.path).filter { $0.contains(".tmp.") }.isEmpty)
        #expect(try Exporter.export(runId: id, from: db, format: .csv, to: t.file("out.csv")) == 20_000)
    }

    @Test("an interrupted import rolls back and leaves no run")
    func interruptedImport() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        var text = "step,wall_time,loss\n"
        for i in 0..<20_000 { text += "\(i),1,\(i)\n" }
        try text.write(toFile: t.file("in.csv"), atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) {
            try Importer.importFile(t.file("in.csv"), name: "r", into: db, cancelled: { true })
        }
        #expect(try db.runs().isEmpty)
    }
}
