/// `siamon export`: a run's scalars, one row per step, keys sorted. jsonl lines are flat objects
/// `{"step":…,"wall_time":…,"<key>":…}` (for a siamon run, exactly the steps.jsonl format); csv is
/// `step,wall_time,<keys…>`. Both re-import to the same series (`siamon import`).
public enum Exporter {
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }

    /// Writes the run to `path` (stdout when nil). Returns the number of step rows written.
    @discardableResult
    public static func export(runId: Int64, from db: MetricsDatabase, format: Format, to path: String?) throws -> Int {
        let keys = try db.keys(runId: runId)
        let out = try LineWriter(path: path)
        defer { out.close() }
        if format == .csv { out.write((["step", "wall_time"] + keys).joined(separator: ",")) }
        var rows = 0
        var step: Int?
        var wall: Double?
        var values: [String: Double] = [:]
        func emit() {
            guard let s = step else { return }
            rows += 1
            switch format {
            case .csv:
                var cells = [String(s), wall.map(CSVFormat.format) ?? ""]
                for k in keys { cells.append(values[k].map(CSVFormat.format) ?? "") }
                out.write(cells.joined(separator: ","))
            case .jsonl:
                var line = "{\"step\":\(s)"
                if let w = wall { line += ",\"wall_time\":" + JSONLine.format(w) }
                for k in keys { if let v = values[k] { line += "," + JSONLine.quote(k) + ":" + JSONLine.format(v) } }
                out.write(line + "}")
            }
        }
        try db.forEachPoint(runId: runId) { p in
            if p.step != step { emit(); step = p.step; wall = nil; values.removeAll(keepingCapacity: true) }
            values[p.key] = p.value
            if wall == nil { wall = p.wallTime }
        }
        emit()
        return rows
    }
}
