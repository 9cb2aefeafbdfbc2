import Foundation

/// Named sweeps: a sweep is every preset whose name starts with the sweep's prefix, in name order.
/// `ablations` is the paper's Table 3 (`ablation-a` … `ablation-j`, one preset per row).
public enum Sweeps {
    /// Sweep name → preset-name prefix. Append-only: run names and `compare --sweep` depend on these.
    public static let prefixes: [String: String] = ["ablations": "ablation-"]

    public struct Member: Sendable, Equatable {
        /// The preset's name (runs/presets/NAME.json), e.g. `ablation-a`.
        public let preset: String
        /// The row label: the preset name without the prefix, e.g. `a`.
        public let row: String
    }

    /// The sweep's presets, sorted by name. One-line errors for an unknown sweep or one without presets.
    public static func members(of sweep: String, presetsDir: URL = Presets.defaultDirectory()) throws -> [Member] {
        guard let prefix = prefixes[sweep] else {
            throw SweepError.unknown(sweep: sweep, known: prefixes.keys.sorted())
        }
        let names = Presets.available(in: presetsDir).filter { $0.hasPrefix(prefix) && $0.count > prefix.count }
        guard !names.isEmpty else { throw SweepError.noPresets(sweep: sweep, prefix: prefix, directory: presetsDir.path) }
        return names.map { Member(preset: $0, row: String($0.dropFirst(prefix.count))) }
    }

    /// `<sweep>-<row>-<stamp>`: every run of one sweep shares the stamp, so `compare --sweep` finds them.
    public static func runName(sweep: String, row: String, stamp: String) -> String { "\(sweep)-\(row)-\(stamp)" }

    /// The stamp of a sweep started at `date` (UTC, to the second).
    public static func stamp(_ date: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// The runs of the newest sweep named `sweep` among `names`: same `<sweep>-`, same stamp, any row.
    public static func latestRuns(of sweep: String, among names: [String]) -> [String] {
        let parsed = names.compactMap { n -> (name: String, stamp: String)? in
            // <sweep>-<row>-yyyyMMdd-HHmmss: the stamp is the last 15 characters.
            guard n.hasPrefix(sweep + "-"), n.count > sweep.count + 17 else { return nil }
            let stamp = String(n.suffix(15)), sep = n.dropLast(15).last
            guard sep == "-", stamp.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else { return nil }
            return (n, stamp)
        }
        guard let newest = parsed.map(\.stamp).max() else { return [] }
        return parsed.filter { $0.stamp == newest }.map(\.name).sorted()
    }
}

public enum SweepError: Error, CustomStringConvertible, Equatable {
    case unknown(sweep: String, known: [String])
    case noPresets(sweep: String, prefix: String, directory: String)
    case noRuns(sweep: String)

    public var description: String {
        switch self {
        case let .unknown(sweep, known):
            "unknown sweep '\(sweep)'; known sweeps: \(known.joined(separator: ", "))"
        case let .noPresets(sweep, prefix, directory):
            "sweep '\(sweep)' has no presets: no \(prefix)*.json in \(directory) (set SIAMON_PRESETS or run from the repository)"
        case let .noRuns(sweep):
            "no runs of sweep '\(sweep)' in the store; start one with `siamon train --sweep \(sweep)`"
        }
    }
}
