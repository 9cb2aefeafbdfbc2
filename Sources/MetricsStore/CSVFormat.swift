import Tensor

/// siamon's csv export: a header `step,wall_time,<key>,…` then one row per step. An empty cell is a key not
/// logged at that step; `nan`, `inf` and `-inf` are the non-finite values (pandas reads them as such).
enum CSVFormat {
    static func header(_ line: String) throws -> [String] {
        let h = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard h.count >= 2, h[0] == "step", h[1] == "wall_time" else {
            throw Importer.LineError(message: "csv header must start with step,wall_time")
        }
        return h
    }

    static func row(_ line: String, header: [String]) throws -> (step: Int, wall: Double?, values: [(String, Double)]) {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
        guard cells.count == header.count else {
            throw Importer.LineError(message: "\(cells.count) cells, but the header has \(header.count)")
        }
        guard let step = FileIntegers.parse(cells[0]) else {
            throw Importer.LineError(message: "bad step '\(cells[0])' (\(FileIntegers.rangeText))")
        }
        var values: [(String, Double)] = []
        for i in 2..<cells.count where !cells[i].isEmpty {
            guard let v = number(cells[i]) else { throw Importer.LineError(message: "bad number '\(cells[i])' for \(header[i])") }
            values.append((header[i], v))
        }
        return (step, cells[1].isEmpty ? nil : number(cells[1]), values)
    }

    static func number<S: StringProtocol>(_ s: S) -> Double? {
        switch s {
        case "nan", "NaN": return .nan
        case "inf", "Infinity": return .infinity
        case "-inf", "-Infinity": return -.infinity
        default: return Double(s)
        }
    }

    static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return JSONLine.format(x)
    }
}
