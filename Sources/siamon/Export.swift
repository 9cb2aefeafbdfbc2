import ArgumentParser
import MetricsStore
import Tensor

extension Exporter.Format: ExpressibleByArgument {}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a run's scalars as csv or jsonl (one row per step; re-importable).")

    @Argument(help: "Run name.") var runName: String
    @Option(help: "csv or jsonl.") var format: Exporter.Format = .csv
    @Option(help: "Output file (default: stdout).") var out: String?
    @OptionGroup var location: StoreLocationOptions

    func run() throws {
        if let out { try OwnedFiles.refuse(out, flag: "--out", runsDirectory: location.directory) }
        guard let db = try location.openForReading() else { throw CLIError("no runs yet in \(location.directory)/; start one with `siamon train` or `siamon import`") }
        let runId = try db.runId(named: runName)
        LongPhase.installHandlers()
        do {
            try LongPhase.run { try Exporter.export(runId: runId, from: db, format: format, to: out, cancelled: LongPhase.cancelled) }
        } catch SafetensorsError.diskFull {
            throw CLIError("--out \(out ?? "-"): disk full while writing; free some space and retry (the previous file is untouched)")
        } catch SafetensorsError.writeFailed(_, let detail) {
            throw CLIError("--out \(out ?? "-"): write failed: \(detail) (the previous file is untouched)")
        }
    }
}
