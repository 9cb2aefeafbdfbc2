import ArgumentParser

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List runs.")
    func run() throws {
        throw ValidationError("siamon runs is not built yet in this version; see the issues for its status.")
    }
}
