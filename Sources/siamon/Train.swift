import ArgumentParser

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a preset (headless with --headless).")
    func run() throws {
        throw ValidationError("siamon train is not built yet in this version; see the issues for its status.")
    }
}
