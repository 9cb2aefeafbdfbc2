import Foundation
import RunCore
import Tensor

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
/// Bad lines: a last line with no newline that does not parse is a torn write (a crashed writer leaves one)
/// and is skipped with a warning; any line that ends in a newline and does not parse is damage, wherever it
/// is, and stops the import with `file:line: what is wrong; fix or delete the line and import again`.
/// Steps and epochs must be whole numbers in `FileIntegers` (0...2^53-1).
public enum Importer {
    public enum Format: String, Sendable { case officialLog = "log.txt", stepsJSONL = "jsonl", csv }

    public struct Result: Sendable {
        public var runId: Int64
        public var format: Format
        public var rows: Int
        public var scalars: Int
        public var warnings: [String]
    }

    /// `cancelled` is polled every few thousand lines; when it turns true the import throws
    /// `StoreError.interrupted` and its transaction rolls back, so nothing is written.
    public static func importFile(_ path: String, name: String, into db: MetricsDatabase, preset: String = "",
                                  cancelled: @escaping @Sendable () -> Bool = { false }) throws -> Result {
        try RunName.validate(name)
        let format = try detect(path)
        let config = "{\"imported_from\":\(JSONLine.quote(path)),\"format\":\"\(format.rawValue)\"}"
        let runId = try db.createRun(name: name, preset: preset, configJSON: config, source: .imported)
        do {
            // A big page cache keeps the growing table and index in memory until the one commit, instead of
            // spilling pages to the WAL mid-transaction (SQLite's default is 2 MB).
            try db.with { c in try c.exec("PRAGMA cache_size = -524288") }
            defer { try? db.with { c in try c.exec("PRAGMA cache_size = -2000") } }
            var r = try db.write { c in try load(path, format: format, runId: runId, cancelled: cancelled, c) }
            try db.setStatus(runId: runId, .done)
            r.runId = runId
            return r
        } catch {
            // The rows rolled back; remove the empty run so the name can be reused after fixing the file.
            try? db.with { c in try c.exec("DELETE FROM run WHERE id = \(runId)") }
            throw error
        }
    }

    /// Parses the whole file without touching a database: throws the same one-line error `importFile` would,
    /// so a caller can refuse bad input before it opens (or creates) the runs folder.
    @discardableResult
    public static func validate(_ path: String, cancelled: @escaping @Sendable () -> Bool = { false }) throws
        -> (format: Format, rows: Int, warnings: [String]) {
        let format = try detect(path)
        let r = try parse(path, format: format, cancelled: cancelled) { _ in true }
        return (format, r.rows, r.warnings)
    }

    static func detect(_ path: String) throws -> Format {
        let r = try LineReader(path: path)
        if path.lowercased().hasSuffix(".csv") { return .csv }
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

    /// Parses on a second thread while this one inserts, so on two cores the import takes about the
    /// longer of the two instead of their sum. Rows cross in chunks through a small bounded queue.
    private static func load(_ path: String, format: Format, runId: Int64, cancelled: @escaping @Sendable () -> Bool,
                             _ c: Connection) throws -> Result {
        var ins = try ScalarInsert(c)
        let pipe = RowPipe()
        Thread.detachNewThread {
            pipe.finish(Swift.Result { try parse(path, format: format, cancelled: cancelled) { pipe.push($0) } })
        }
        defer { pipe.cancelAndWait() }
        while let chunk = pipe.pop() {
            for p in chunk { try ins.add(runId: runId, key: p.key, step: p.step, value: p.value, wallTime: p.wall) }
        }
        let parsed = try pipe.outcome()
        try ins.finish(c)
        return Result(runId: runId, format: format, rows: parsed.rows, scalars: parsed.scalars, warnings: parsed.warnings)
    }

    /// Reads and parses the whole file, handing rows to `emit` in chunks. Returns counts and warnings.
    private static func parse(_ path: String, format: Format, cancelled: () -> Bool,
                              emit: ([RowPipe.Point]) -> Bool) throws -> (rows: Int, scalars: Int, warnings: [String]) {
        var rows = 0, scalars = 0
        let reader = try LineReader(path: path)
        var pending: (line: Int, error: String)?   // a torn last line (no newline): skipped with a warning
        var csvHeader: [String]?
        let keys = KeyMap(format: format)
        var row = Row()
        var chunk: [RowPipe.Point] = []
        chunk.reserveCapacity(RowPipe.chunkSize + 64)
        while true {
            // false: blank line; nil: end of file.
            let got: Bool? = try reader.nextBytes { bytes in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return false }
                if let p = pending { throw StoreError.badInput(file: path, line: p.line, detail: p.error + "; fix or delete the line and import again") }
                if reader.lineNumber % cancelEvery == 0, cancelled() { throw StoreError.interrupted(what: "import of \(path)", detail: "nothing was imported") }
                do {
                    row.reset(defaultStep: rows)
                    switch format {
                    case .officialLog, .stepsJSONL: try jsonRow(bytes, keys, &row)
                    case .csv:
                        let line = String(decoding: bytes, as: UTF8.self)
                        if csvHeader == nil { csvHeader = try CSVFormat.header(line); return false }
                        let r = try CSVFormat.row(line, header: csvHeader!)
                        row.step = r.step; row.wall = r.wall; row.values = r.values
                    }
                } catch let e as LineError {
                    try damagedOrTorn(path, reader, e.message, &pending)
                    return false
                }
                return true
            }
            guard let isRow = got else { break }
            guard isRow else { continue }
            guard let step = row.step else {
                try damagedOrTorn(path, reader, "missing or bad \"step\" (\(FileIntegers.rangeText))", &pending)
                continue
            }
            for (k, v) in row.values { chunk.append(RowPipe.Point(key: k, step: step, value: v, wall: row.wall)) }
            rows += 1
            scalars += row.values.count
            if chunk.count >= RowPipe.chunkSize {
                guard emit(chunk) else { return (rows, scalars, []) }    // the inserter gave up
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { _ = emit(chunk) }
        var warnings: [String] = []
        if let p = pending {
            guard rows > 0 else {
                throw StoreError.badInput(file: path, line: p.line, detail: p.error + " on the only line, which has no newline (a torn write); nothing to import")
            }
            warnings.append("warning: \(path):\(p.line): \(p.error); skipped this torn last line (it has no newline)")
        }
        return (rows, scalars, warnings)
    }

    /// Lines between two polls of the cancellation check.
    static let cancelEvery = 4096

    /// A broken line that ends in a newline was written whole, so it is damage: it stops the import. One
    /// without a newline can only be the last line, cut short by a writer that died; it is kept pending.
    private static func damagedOrTorn(_ path: String, _ reader: LineReader, _ message: String,
                                      _ pending: inout (line: Int, error: String)?) throws {
        guard !reader.lastLineHadNewline else {
            throw StoreError.badInput(file: path, line: reader.lineNumber, detail: message + "; fix or delete the line and import again")
        }
        pending = (reader.lineNumber, message)
    }

    /// One parsed line, reused across lines so the hot loop allocates nothing.
    struct Row {
        var step: Int?
        var wall: Double?
        var values: [(String, Double)] = []
        mutating func reset(defaultStep: Int) { step = nil; wall = nil; values.removeAll(keepingCapacity: true); fallback = defaultStep }
        var fallback = 0
    }

    private static func jsonRow(_ bytes: UnsafeBufferPointer<UInt8>, _ keys: KeyMap, _ row: inout Row) throws {
        var stepValue: Double?
        do {
            try JSONLine.visitObject(bytes) { k, v in
                guard case .number(let x) = v else { return }
                switch keys.role(k) {
                case .scalar(let name): row.values.append((name, x))
                case .step: stepValue = x
                case .wallTime: row.wall = x
                case .epoch(let name):      // official log: the epoch index is the step, and a series too
                    guard x.isFinite, x >= 0, x <= FileIntegers.maxDouble else { throw LineError(message: "\"epoch\" is \(x), not an epoch index") }
                    stepValue = x.rounded(.down)
                    row.values.append((name, x))
                }
            }
        } catch let e as JSONLine.ParseError {
            throw LineError(message: "broken JSON at column \(e.offset + 1) (\(e.message))")
        }
        if keys.format == .officialLog && stepValue == nil { stepValue = Double(row.fallback) }
        if let s = stepValue { row.step = FileIntegers.exact(s) }
    }

    /// Maps raw key bytes to what the key means, comparing bytes so no String is made per key per line.
    final class KeyMap {
        enum Role { case scalar(String), step, wallTime, epoch(String) }
        let format: Format
        private var entries: [(bytes: [UInt8], role: Role)] = []
        private var hint = 0
        init(format: Format) { self.format = format }

        func role(_ k: UnsafeBufferPointer<UInt8>) -> Role {
            let n = entries.count
            for d in 0..<n {
                let i = (hint + d) % n
                if entries[i].bytes.count == k.count
                    && (k.isEmpty || entries[i].bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, k.baseAddress!, k.count) == 0 }) {
                    hint = i + 1
                    return entries[i].role
                }
            }
            let name = String(decoding: k, as: UTF8.self)
            let role: Role
            switch format {
            case .officialLog: role = name == "epoch" ? .epoch("epoch") : .scalar(officialKey(name))
            default: role = name == "step" ? .step : name == "wall_time" ? .wallTime : .scalar(name)
            }
            entries.append((Array(k), role))
            hint = 0
            return role
        }
    }

    struct LineError: Error { let message: String }

    /// Official log.txt key → our key.
    static func officialKey(_ k: String) -> String {
        let stripped = k.hasPrefix("train_") ? String(k.dropFirst(6)) : k
        return stripped == "mm" ? "ema_momentum" : stripped
    }
}
