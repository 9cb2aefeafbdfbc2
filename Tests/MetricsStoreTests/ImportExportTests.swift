import Foundation
import Testing
import SiamTrain
@testable import MetricsStore

@Suite("MetricsStore import and export")
struct ImportExportTests {
    /// An official-format log.txt as SiameseIM's main_pretrain writes it (json.dumps of train_* averages per
    /// epoch), with the bare NaN / Infinity / -Infinity tokens json.dumps emits for non-finite floats.
    static let officialLog = """
        {"train_lr": 9.999999999999999e-06, "train_loss": 2.4812, "train_loss_sim": -0.5, "train_grad_norm": 3.25, "train_loss_scale": 65536.0, "train_mm": 0.995, "epoch": 0}
        {"train_lr": 0.0001, "train_loss": NaN, "train_loss_sim": -0.75, "train_grad_norm": Infinity, "train_loss_scale": 32768.0, "train_mm": 0.99512, "epoch": 1}
        {"train_lr": 0.001, "train_loss": 0.91, "train_loss_sim": -Infinity, "train_grad_norm": 1.0, "train_loss_scale": 32768.0, "train_mm": 0.996, "epoch": 2, "n_parameters": 5812736}

        """

    @Test("official log.txt: keys mapped, step = epoch, NaN and ±Infinity kept exactly")
    func officialLog() throws {
        let t = TempDir()
        try Self.officialLog.write(toFile: t.file("log.txt"), atomically: true, encoding: .utf8)
        let db = try MetricsDatabase(path: t.db)
        let r = try Importer.importFile(t.file("log.txt"), name: "official", into: db)
        #expect(r.format == .officialLog && r.rows == 3 && r.warnings.isEmpty)
        let id = try db.runId(named: "official")
        #expect(try db.keys(runId: id) == ["ema_momentum", "epoch", "grad_norm", "loss", "loss_scale", "loss_sim", "lr", "n_parameters"])
        let loss = try db.points(runId: id, key: "loss")
        #expect(loss.map(\.step) == [0, 1, 2])
        #expect(loss[0].value == 2.4812 && loss[1].value.isNaN && loss[2].value == 0.91)
        #expect(try db.points(runId: id, key: "grad_norm").map(\.value) == [3.25, .infinity, 1.0])
        #expect(try db.points(runId: id, key: "loss_sim")[2].value == -.infinity)
        #expect(try db.points(runId: id, key: "lr")[0].value == 9.999999999999999e-06)
        #expect(try db.points(runId: id, key: "ema_momentum").map(\.value) == [0.995, 0.99512, 0.996])
        #expect(try db.points(runId: id, key: "n_parameters").map(\.step) == [2])
        let s = try db.run(named: "official")
        #expect(s.status == .done && s.source == .imported && s.steps == 3 && s.lastLoss == 0.91)
    }

    @Test("a torn last line is skipped with a warning; a broken middle line fails with file:line and writes nothing")
    func brokenLines() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        try (Self.officialLog + "{\"train_loss\": 0.8, \"ep").write(toFile: t.file("torn.txt"), atomically: true, encoding: .utf8)
        let r = try Importer.importFile(t.file("torn.txt"), name: "torn", into: db)
        #expect(r.rows == 3 && r.warnings.count == 1 && r.warnings[0].contains("torn.txt:4"))
        let lines = Self.officialLog.split(separator: "\n")
        try ([String(lines[0]), "{\"train_loss\": nan}", String(lines[1])].joined(separator: "\n"))
            .write(toFile: t.file("bad.txt"), atomically: true, encoding: .utf8)
        do {
            _ = try Importer.importFile(t.file("bad.txt"), name: "bad", into: db)
            Issue.record("import of a broken middle line succeeded")
        } catch let e as StoreError {
            #expect(e.description.hasPrefix(t.file("bad.txt") + ":2: broken JSON"))
            #expect(e.description.contains("fix or delete the line") && !e.description.contains("\n"))
        }
        #expect(try db.runs().map(\.name) == ["torn"])   // nothing left behind; the name is free again
    }

    @Test("StepsJSONL: line → parse is bit-exact (NaN, ±Inf, -0, subnormals, tiny lr) and the keys are the stable ones")
    func stepsJSONL() throws {
        var r = report(7)
        for (loss, lr) in [(Double.nan, 1e-300), (.infinity, 5e-324), (-0.0, 0.1 + 0.2), (-.infinity, 1.0 / 3.0)] {
            r.loss = loss; r.learningRate = lr
            let line = StepsJSONL.line(r)
            let back = try StepsJSONL.parse(line)
            #expect(back.loss.bitPattern == r.loss.bitPattern || (back.loss.isNaN && r.loss.isNaN), "\(line)")
            #expect(back.learningRate.bitPattern == lr.bitPattern)
            #expect(back.step == 7 && back.wallTime == r.wallTime && back.gradNorm == r.gradNorm)
        }
        let keys = try JSONLine.parseObject(StepsJSONL.line(report(1))).map(\.key)
        #expect(keys == ["step", "epoch", "loss", "loss_pos", "loss_neg", "lr", "ema_momentum", "grad_norm",
                         "images_per_s", "step_seconds", "wall_time"])
        // The documented line parses with Python's json too: bare NaN, Infinity (checked in the shim test).
        #expect(throws: StepsJSONL.ParseError.self) { try StepsJSONL.parse("{\"step\":1}") }
        #expect(throws: StepsJSONL.ParseError.self) { try StepsJSONL.parse("{\"step\":1,") }
    }

    @Test("export then import gives the same series (jsonl and csv), and steps.jsonl imports", arguments: Exporter.Format.allCases)
    func roundTrip(format: Exporter.Format) throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "orig", preset: "", configJSON: "{}", source: .siamon)
        let w = try StoreWriter(path: t.db, runId: id)
        var lines: [String] = []
        for s in 0..<300 {
            var r = report(s)
            if s % 50 == 7 { r.loss = .nan }
            if s == 100 { r.gradNorm = -.infinity }
            w.record(r)
            lines.append(StepsJSONL.line(r))
        }
        try w.finish(status: .done)
        let file = t.file("orig.\(format.rawValue)")
        #expect(try Exporter.export(runId: id, from: db, format: format, to: file) == 300)
        try Importer.importFile(file, name: "back", into: db)
        try (lines.joined(separator: "\n") + "\n").write(toFile: t.file("steps.jsonl"), atomically: true, encoding: .utf8)
        try Importer.importFile(t.file("steps.jsonl"), name: "steps", into: db)
        let back = try db.runId(named: "back"), steps = try db.runId(named: "steps")
        #expect(try db.keys(runId: back) == db.keys(runId: id))
        #expect(try db.keys(runId: steps) == db.keys(runId: id))
        for key in try db.keys(runId: id) {
            let a = try db.points(runId: id, key: key).map { ScalarPoint(runId: 0, key: key, step: $0.step, value: $0.value, wallTime: $0.wallTime) }
            #expect(a.count == 300)
            for other in [back, steps] {
                let b = try db.points(runId: other, key: key).map { ScalarPoint(runId: 0, key: key, step: $0.step, value: $0.value, wallTime: $0.wallTime) }
                #expect(a == b, "\(key) differs after \(format) round trip")
            }
        }
    }

    @Test("the JSON reader handles strings, escapes, nesting and rejects junk")
    func jsonReader() throws {
        let m = try JSONLine.parseObject(#"{"a": "x\"y\u00e9", "b": [1, {"c": NaN}], "d": -1.5e-3, "e": true, "f": null}"#)
        #expect(m.map(\.key) == ["a", "b", "d", "e", "f"])
        #expect(m[0].value == .string("x\"yé") && m[1].value == .nested && m[2].value == .number(-1.5e-3))
        for junk in ["", "[1]", "{\"a\":}", "{\"a\":1} x", "{\"a\":nan}", "{a:1}"] {
            #expect(throws: JSONLine.ParseError.self, "\(junk)") { try JSONLine.parseObject(junk) }
        }
    }
}
