import ArgumentParser

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a run as csv or jsonl.")
    func run() throws {
        throw ValidationError("siamon export is not built yet in this version; see the issues for its status.")
    }
}
