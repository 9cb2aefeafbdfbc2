import ArgumentParser
import Foundation
import MetricsStore

/// `--runs DIR` (else $SIAMON_RUNS, else ./runs): where siamon.sqlite and the run folders live.
struct StoreLocationOptions: ParsableArguments {
    @Option(name: .customLong("runs"), help: "Runs folder holding siamon.sqlite (default: $SIAMON_RUNS or ./runs).")
    var runsDirectory: String?

    var directory: String { RunsLocation.directory(flag: runsDirectory) }

    /// Opens the database read-write (creating the folder), printing the journal warning if any.
    func openForWriting() throws -> MetricsDatabase {
        let db = try MetricsDatabase(path: try RunsLocation.databasePath(directory: directory, create: true))
        if let w = db.warning { FileHandle.standardError.write(Data((w + "\n").utf8)) }
        return db
    }

    /// Opens an existing database read-only; nil when there is none yet.
    func openForReading() throws -> MetricsDatabase? {
        let path = try RunsLocation.databasePath(directory: directory, create: false)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try MetricsDatabase(path: path, mode: .readOnly)
    }
}

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List runs: status, steps, last loss, probe accuracy.")

    @OptionGroup var location: StoreLocationOptions

    func run() throws {
        guard let db = try location.openForReading() else {
            print("no runs yet in \(location.directory)/ (start one with `siamon train` or `siamon import`)")
            return
        }
        let runs = try db.runs()
        for w in runs.compactMap(\.damageWarning) { FileHandle.standardError.write(Data((w + "\n").utf8)) }
        print(RunsTable.render(runs))
    }
}

/// The plain-text run table of `siamon runs`.
enum RunsTable {
    static func render(_ runs: [RunSummary]) -> String {
        var rows = [["NAME", "STATUS", "STEPS", "LAST LOSS", "LINEAR", "KNN", "SOURCE", "PRESET", "CREATED"]]
        let now = Date().timeIntervalSince1970
        for r in runs {
            let status = MetricsDatabase.stalledSeconds(r, now: now).map { String(format: "%@ (stalled %.0f s)", r.status.rawValue, $0) }
            rows.append([r.name, status ?? r.status.rawValue, String(r.steps), r.lastLoss.map { fmt($0) } ?? "-",
                         r.latestProbe?.linear.map { String(format: "%.2f", $0) } ?? "-",
                         r.latestProbe?.knn.map { String(format: "%.2f", $0) } ?? "-",
                         r.source.rawValue, r.preset.isEmpty ? "-" : r.preset, date(r.createdAt)])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func fmt(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "\(x)" }

    static func date(_ t: Double) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
