import ArgumentParser

struct UI: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ui", abstract: "Open the TUI on the runs folder (the default).")
    func run() throws {
        throw ValidationError("siamon ui is not built yet in this version; see the issues for its status.")
    }
}
