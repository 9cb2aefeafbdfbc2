import ArgumentParser

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import an official log.txt or a steps.jsonl.")
    func run() throws {
        throw ValidationError("siamon import is not built yet in this version; see the issues for its status.")
    }
}
