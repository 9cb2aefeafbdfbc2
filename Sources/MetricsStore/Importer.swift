import Foundation

/// `siamon import`: loads a metrics file into a new run (source "import") in one transaction, so a failed
/// import leaves nothing behind.
///
/// Formats (detected from the extension and the first line):
/// - the official SiameseIM/MAE `log.txt`: one JSON object per epoch, e.g.
///   `{"train_lr": 0.0001, "train_loss": NaN, "train_mm": 0.996, "epoch": 3}`. step = the epoch index;
///   `train_` is stripped, `lr` stays `lr`, `mm` becomes `ema_momentum`; every other numeric key is kept
///   under its own (stripped) name, e.g. `loss_sim`, `grad_norm`, `loss_scale`, `n_parameters`.
/// - `steps.jsonl` (StepsJSONL) or siamon's jsonl export: every numeric key but `step`/`wall_time` is a scalar.
/// - siamon's csv export (`step,wall_time,<keys…>`).
///
/// Bad lines: a broken *last* line is skipped with a warning (a crashed writer leaves a torn tail); a broken
/// line anywhere else stops the import with `file:line: what is wrong; fix or delete the line and import again`.
public enum Importer {
    public enum Format: String, Sendable { case officialLog = "log.txt", stepsJSONL = "jsonl", csv }

    public struct Result: Sendable {
        public var runId: Int64
        public var format: Format
        public var rows: Int
        public var scalars: Int
        public var warnings: [String]
    }

    public static func importFile(_ path: String, name: String, into db: MetricsDatabase, preset: String = "") throws -> Result {
        try RunName.validate(name)
        let format = try detect(path)
        let config = "{\"imported_from\":\(JSONLine.quote(path)),\"format\":\"\(format.rawValue)\"}"
        let runId = try db.createRun(name: name, preset: preset, configJSON: config, source: .imported)
        do {
            // A big page cache keeps the growing table and index in memory until the one commit, instead of
            // spilling pages to the WAL mid-transaction (SQLite's default is 2 MB).
            try db.with { c in try c.exec("PRAGMA cache_size = -524288") }
            defer { try? db.with { c in try c.exec("PRAGMA cache_size = -2000") } }
            var r = try db.write { c in try load(path, format: format, runId: runId, c) }
            try db.setStatus(runId: runId, .done)
            r.runId = runId
            return r
        } catch {
            // The rows rolled back; remove the empty run so the name can be reused after fixing the file.
            try? db.with { c in try c.exec("DELETE FROM run WHERE id = \(runId)") }
            throw error
        }
    }

    static func detect(_ path: String) throws -> Format {
        if path.lowercased().hasSuffix(".csv") { return .csv }
        let r = try LineReader(path: path)
        while let line = r.next() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            if t.hasPrefix("step,") { return .csv }
            guard let m = try? JSONLine.parseObject(t) else {
                throw StoreError.badInput(file: path, line: r.lineNumber, detail: "not a JSON object; expected a log.txt, steps.jsonl or csv file")
            }
            return m.contains { $0.key == "step" } ? .stepsJSONL : .officialLog
        }
        throw StoreError.badInput(file: path, line: 0, detail: "the file is empty; nothing to import")
    }

    private static func load(_ path: String, format: Format, runId: Int64, _ c: Connection) throws -> Result {
        var ins = try ScalarInsert(c)
        var result = Result(runId: runId, format: format, rows: 0, scalars: 0, warnings: [])
        let reader = try LineReader(path: path)
        var pending: (line: Int, error: String)?   // a broken line, fatal unless it turns out to be the last
        var csvHeader: [String]?
        while let line = reader.next() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if let p = pending { throw StoreError.badInput(file: path, line: p.line, detail: p.error + "; fix or delete the line and import again") }
            do {
                let points: (step: Int, wall: Double?, values: [(String, Double)])?
                switch format {
                case .officialLog: points = try officialRow(line, index: result.rows)
                case .stepsJSONL: points = try stepsRow(line)
                case .csv:
                    if csvHeader == nil { csvHeader = try CSVFormat.header(line); points = nil }
                    else { points = try CSVFormat.row(line, header: csvHeader!) }
                }
                guard let p = points else { continue }
                for (k, v) in p.values { try ins.add(runId: runId, key: k, step: p.step, value: v, wallTime: p.wall) }
                result.rows += 1
                result.scalars += p.values.count
            } catch let e as LineError {
                pending = (reader.lineNumber, e.message)
            }
        }
        if let p = pending { result.warnings.append("warning: \(path):\(p.line): \(p.error); skipped this torn last line") }
        try ins.finish(c)
        return result
    }

    struct LineError: Error { let message: String }

    private static func members(_ line: String) throws -> [(key: String, value: JSONLine.Value)] {
        do { return try JSONLine.parseObject(line) }
        catch let e as JSONLine.ParseError { throw LineError(message: "broken JSON at column \(e.offset + 1) (\(e.message))") }
    }

    /// Official log.txt key → our key.
    static func officialKey(_ k: String) -> String {
        let stripped = k.hasPrefix("train_") ? String(k.dropFirst(6)) : k
        return stripped == "mm" ? "ema_momentum" : stripped
    }

    private static func officialRow(_ line: String, index: Int) throws -> (step: Int, wall: Double?, values: [(String, Double)])? {
        var values: [(String, Double)] = []
        var step = index
        for (k, v) in try members(line) {
            guard case .number(let x) = v else { continue }
            if k == "epoch" {
                guard x.isFinite, x >= 0 else { throw LineError(message: "\"epoch\" is \(x), not an epoch index") }
                step = Int(x)
            }
            values.append((officialKey(k), x))
        }
        return (step, nil, values)
    }

    private static func stepsRow(_ line: String) throws -> (step: Int, wall: Double?, values: [(String, Double)])? {
        var values: [(String, Double)] = []
        var step: Double?, wall: Double?
        for (k, v) in try members(line) {
            guard case .number(let x) = v else { continue }
            switch k {
            case "step": step = x
            case "wall_time": wall = x
            default: values.append((k, x))
            }
        }
        guard let s = step, s.isFinite, s == s.rounded(), s >= 0 else { throw LineError(message: "missing or bad \"step\" (a whole number ≥ 0)") }
        return (Int(s), wall, values)
    }
}
