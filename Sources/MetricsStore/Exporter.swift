import Tensor

/// `siamon export`: a run's scalars, one row per step, keys sorted. jsonl lines are flat objects
/// `{"step":…,"wall_time":…,"<key>":…}` (for a siamon run, exactly the steps.jsonl format); csv is
/// `step,wall_time,<keys…>`. Both re-import to the same series (`siamon import`).
///
/// A file is written through `AtomicFile`: a temporary file in the same folder, renamed over `path` only when
/// every row is written, so a failed or interrupted export leaves the previous file as it was.
public enum Exporter {
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }

    /// Points between two polls of the cancellation check.
    static let cancelEvery = 8192

    /// Writes the run to `path` (stdout when nil). Returns the number of step rows written. `cancelled` is
    /// polled while rows are read; when it turns true the export throws `StoreError.interrupted`.
    @discardableResult
    public static func export(runId: Int64, from db: MetricsDatabase, format: Format, to path: String?,
                              cancelled: () -> Bool = { false }) throws -> Int {
        guard let path else {
            let out = try LineWriter(path: nil)
            defer { out.close() }
            return try rows(runId: runId, db: db, format: format, cancelled: cancelled, what: "export to stdout") { out.write($0) }
        }
        var count = 0
        try AtomicFile.write(path: path) { (w: inout AtomicFile.ChunkWriter) throws in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 16 + 4096)
            count = try rows(runId: runId, db: db, format: format, cancelled: cancelled, what: "export to \(path)") { line in
                buffer.append(contentsOf: line.utf8)
                buffer.append(0x0A)
                if buffer.count >= 1 << 16 { try w.append(buffer); buffer.removeAll(keepingCapacity: true) }
            }
            try w.append(buffer)
        }
        return count
    }

    /// Produces the export's lines in order through `write`.
    static func rows(runId: Int64, db: MetricsDatabase, format: Format, cancelled: () -> Bool, what: String,
                     write: (String) throws -> Void) throws -> Int {
        let keys = try db.keys(runId: runId)
        if format == .csv { try write((["step", "wall_time"] + keys).joined(separator: ",")) }
        var rows = 0, seen = 0
        var step: Int?
        var wall: Double?
        var values: [String: Double] = [:]
        func emit() throws {
            guard let s = step else { return }
            rows += 1
            try write(line(step: s, wall: wall, keys: keys, values: values, format: format))
        }
        try db.forEachPoint(runId: runId) { p in
            seen += 1
            if seen % cancelEvery == 0, cancelled() {
                throw StoreError.interrupted(what: what, detail: "no file was written")
            }
            if p.step != step { try emit(); step = p.step; wall = nil; values.removeAll(keepingCapacity: true) }
            values[p.key] = p.value
            if wall == nil { wall = p.wallTime }
        }
        try emit()
        return rows
    }

    static func line(step s: Int, wall: Double?, keys: [String], values: [String: Double], format: Format) -> String {
        switch format {
        case .csv:
            var cells = [String(s), wall.map(CSVFormat.format) ?? ""]
            for k in keys { cells.append(values[k].map(CSVFormat.format) ?? "") }
            return cells.joined(separator: ",")
        case .jsonl:
            var line = "{\"step\":\(s)"
            if let w = wall { line += ",\"wall_time\":" + JSONLine.format(w) }
            for k in keys { if let v = values[k] { line += "," + JSONLine.quote(k) + ":" + JSONLine.format(v) } }
            return line + "}"
        }
    }
}
