import ArgumentParser
import Foundation
import MetricsStore
import SiamTrain
import TUI

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Compare runs: loss overlay and the hyper-parameters that differ (--print for a table).",
        discussion: """
            When a run has an ablation switch away from the official setting (model.target, augment.views,             augment.color_aug, mask.kind, model.projector_norm, model.decoder_norm, loss.norm, loss.kind),             the table is the paper's Table 3: one row per run, the switches, linear and kNN %, final loss, wall time.             --table3 asks for that form always; --sweep NAME compares the newest sweep's runs.
            """)

    @OptionGroup var location: StoreLocationOptions
    @Flag(help: "Print a plain table instead of opening the TUI.") var print = false
    @Option(help: "A theme file (btop format, see themes/).") var theme: String?
    @Flag(help: "Print the Table 3 form (ablation switches as columns) even when every switch is the official one.")
    var table3 = false
    @Option(help: ArgumentHelp("Compare the runs of the newest sweep of this name (e.g. ablations).", valueName: "name"))
    var sweep: String?
    @Argument(help: "Runs to compare (names from `siamon runs`).") var runs: [String] = []

    func run() throws {
        guard let db = try location.openForReading() else {
            throw ValidationError("no runs yet in \(location.directory)/; start one with `siamon train`")
        }
        let all = try db.runs()
        var names = runs
        if let sweep {
            guard Sweeps.prefixes[sweep] != nil else { throw SweepError.unknown(sweep: sweep, known: Sweeps.prefixes.keys.sorted()) }
            let found = Sweeps.latestRuns(of: sweep, among: all.map(\.name))
            guard !found.isEmpty else { throw SweepError.noRuns(sweep: sweep) }
            names += found
        }
        let chosen = try names.map { name in
            guard let r = all.first(where: { $0.name == name }) else { throw StoreError.noSuchRun(name: name) }
            return r
        }
        for w in chosen.compactMap(\.damageWarning) { FileHandle.standardError.write(Data((w + "\n").utf8)) }
        if print {
            let rows = try Table3.rows(chosen, db: db)
            Swift.print(table3 || Table3.applies(rows) ? Table3.text(rows) : try CompareTable.render(chosen, db: db))
            return
        }
        db.close()
        try TerminalApp.open(location: location, theme: theme, readOnly: false) { state in
            state.compareIds = chosen.map(\.name)
            state.selectedRunId = chosen.first?.name
            if !chosen.isEmpty { state.screen = .compare }
        }
    }
}

/// `siamon compare --print`: the differing hyper-parameters, the probe results and the final loss.
enum CompareTable {
    static func render(_ runs: [RunSummary], db: MetricsDatabase) throws -> String {
        let configs = try db.configs(runIds: runs.map(\.id))
        let flat: [[String: String]] = runs.map { r in
            guard let json = configs[r.id], let c = try? RunConfig.decode(json: json, source: r.name) else { return [:] }
            return Dictionary(c.flattened().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        let keys = Set(flat.flatMap(\.keys)).sorted().filter { k in Set(flat.map { $0[k] ?? "-" }).count > 1 }
        var rows = [["run"] + keys + ["steps", "final loss", "linear", "kNN"]]
        for (r, f) in zip(runs, flat) {
            let settings: [String] = keys.map { f[$0] ?? "-" }
            let loss: String = r.lastLoss.map { String(format: "%.4f", $0) } ?? "-"
            let linear: String = r.latestProbe?.linear.map { String(format: "%.2f", $0) } ?? "-"
            let knn: String = r.latestProbe?.knn.map { String(format: "%.2f", $0) } ?? "-"
            rows.append([r.name] + settings + [String(r.steps), loss, linear, knn])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") }
            .joined(separator: "\n")
    }
}
