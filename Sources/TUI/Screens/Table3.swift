// The paper's Table 3 as a view: one row per run, the ablation switches as columns, then linear and kNN
// probe, final loss and wall time. `text` is `siamon compare --print`'s form; `render` draws into the buffer.

import Foundation

public enum Table3 {
    /// One switch column: its config key path, headers (full and narrow), and the value a missing key means.
    public struct Switch: Sendable {
        public let key: String, header: String, short: String, defaultValue: String
    }

    /// The paper's columns, left to right. A key missing from a run's config is the official setting.
    public static let switches: [Switch] = [
        Switch(key: "model.target", header: "target", short: "tgt", defaultValue: "feature"),
        Switch(key: "augment.views", header: "views", short: "view", defaultValue: "different"),
        Switch(key: "augment.color_aug", header: "color", short: "col", defaultValue: "on"),
        Switch(key: "mask.kind", header: "mask", short: "mask", defaultValue: "blockwise"),
        Switch(key: "model.projector_norm", header: "proj norm", short: "prj", defaultValue: "bn"),
        Switch(key: "model.decoder_norm", header: "dec norm", short: "dec", defaultValue: "bn"),
        Switch(key: "loss.norm", header: "loss norm", short: "lnrm", defaultValue: "mae"),
        Switch(key: "loss.kind", header: "loss", short: "loss", defaultValue: "dense"),
    ]
    static let abbreviations = ["feature": "feat", "pixel": "pix", "different": "diff", "blockwise": "block",
                                "random": "rand", "global": "glob"]

    public struct Row: Equatable, Sendable {
        public var name: String
        public var switches: [String]
        public var linear: Double?        // top-1 %, 0…100
        public var knn: Double?
        public var finalLoss: Double?
        public var wallSeconds: Double?
        /// The probe ran on a subset (not probe-v1 proper): its figures are marked with '*'.
        public var subsetProbe: Bool
        public init(name: String, switches: [String], linear: Double?, knn: Double?, finalLoss: Double?,
                    wallSeconds: Double?, subsetProbe: Bool = false) {
            self.name = name; self.switches = switches; self.linear = linear; self.knn = knn
            self.finalLoss = finalLoss; self.wallSeconds = wallSeconds; self.subsetProbe = subsetProbe
        }
    }

    /// The switch values of a flattened config ("model.target" → "pixel"), defaults for missing keys.
    public static func switchValues(_ config: [String: String]) -> [String] {
        switches.map { s in
            let v = config[s.key] ?? s.defaultValue
            return v == "true" ? "on" : v == "false" ? "off" : v
        }
    }

    /// True when some run has a switch away from the official setting: then the compare view is Table 3.
    public static func applies(_ runs: [RunRow]) -> Bool { applies(runs.map { switchValues($0.config) }) }
    public static func applies(_ rows: [Row]) -> Bool { applies(rows.map(\.switches)) }
    static func applies(_ values: [[String]]) -> Bool {
        values.contains { v in zip(v, switches).contains { $0 != $1.defaultValue } }
    }

    public static func row(_ r: RunRow) -> Row {
        Row(name: r.name, switches: switchValues(r.config), linear: r.probeLinear.map { $0 * 100 },
            knn: r.probeKnn.map { $0 * 100 }, finalLoss: r.lastLoss, wallSeconds: r.wallSeconds,
            subsetProbe: r.probeProtocol.map { $0 != "probe-v1" } ?? false)
    }

    /// Header and body cells. `narrow` abbreviates headers and values; `names` replaces the run names.
    static func cells(_ rows: [Row], narrow: Bool, names: [String]) -> [[String]] {
        let header = ["run"] + switches.map { narrow ? $0.short : $0.header } + ["lin %", "kNN %", "loss", "wall"]
        var body: [[String]] = []
        for (r, name) in zip(rows, names) {
            let mark = r.subsetProbe ? "*" : ""
            let values: [String] = r.switches.map { narrow ? abbreviations[$0] ?? $0 : $0 }
            let linear: String = r.linear.map { String(format: "%.2f", $0) + mark } ?? "–"
            let knn: String = r.knn.map { String(format: "%.2f", $0) + mark } ?? "–"
            let loss: String = r.finalLoss.map { String(format: "%.4f", $0) } ?? "–"
            let wall: String = r.wallSeconds.map(duration) ?? "–"
            body.append([name] + values + [linear, knn, loss, wall])
        }
        return [header] + body
    }

    static func widths(_ cells: [[String]]) -> [Int] {
        (0..<(cells.first?.count ?? 0)).map { c in cells.map { $0[c].count }.max() ?? 0 }
    }

    /// Plain text for `siamon compare --print --table3`: full names and values, two spaces between columns.
    public static func text(_ rows: [Row]) -> String {
        let c = cells(rows, narrow: false, names: rows.map(\.name))
        let w = widths(c)
        var lines = c.map { row in
            zip(row, w).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        if rows.contains(where: \.subsetProbe) { lines.append("* probe on a subset of the splits, not full probe-v1") }
        return lines.joined(separator: "\n")
    }

    /// `12s`, `4m05s`, `1h02m`.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "–" }
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
    }

    /// Run names without the prefix and suffix they all share (a sweep's `ablations-` and `-<stamp>`), and
    /// the shared parts for the title; unchanged for a single run or names with nothing in common.
    public static func shortNames(_ names: [String]) -> (names: [String], prefix: String, suffix: String) {
        guard names.count > 1 else { return (names, "", "") }
        func common(_ xs: [[Character]]) -> Int {
            var n = 0
            while let c = xs.first?.dropFirst(n).first, xs.allSatisfy({ $0.count > n && $0[n] == c }) { n += 1 }
            return n
        }
        let chars = names.map(Array.init)
        let p = common(chars)
        let s = common(chars.map { Array($0.dropFirst(p).reversed()) })
        let cut = chars.map { String($0.dropFirst(p).dropLast(s)) }
        guard !cut.contains(where: \.isEmpty), p + s > 0 else { return (names, "", "") }
        return (cut, String(chars[0].prefix(p)), String(chars[0].suffix(s)))
    }
}
