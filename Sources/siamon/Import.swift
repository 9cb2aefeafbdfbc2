import ArgumentParser
import Foundation
import MetricsStore
import RunCore
import SiamTrain

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an official SiameseIM/MAE log.txt, a steps.jsonl, or a siamon csv/jsonl export as a new run.",
        discussion: "A last line with no newline that does not parse (a torn write) is skipped with a warning; any other broken line stops the import and nothing is written. Ctrl-C stops it and writes nothing.")

    @Argument(help: "log.txt, steps.jsonl, or an export (.jsonl/.csv).") var file: String
    @Option(help: "Name of the new run (as for train: [A-Za-z0-9._-], at most 64, not starting with a dot).") var name: String
    @Option(help: "Preset name to record with the run.") var preset: String = ""
    @OptionGroup var location: StoreLocationOptions

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw CLIError("\(file): no such readable file; check the path")
        }
        // A bad name or file must not create (or even open) the runs folder.
        try RunName.validate(name)
        LongPhase.installHandlers()
        let r = try LongPhase.run {
            try Importer.validate(file, cancelled: LongPhase.cancelled)
            let db = try location.openForWriting()
            return try Importer.importFile(file, name: name, into: db, preset: preset, cancelled: LongPhase.cancelled)
        }
        for w in r.warnings { FileHandle.standardError.write(Data((w + "\n").utf8)) }
        print("imported \(r.rows) rows (\(r.scalars) scalars, \(r.format.rawValue)) from \(file) into run \(name)")
    }
}
