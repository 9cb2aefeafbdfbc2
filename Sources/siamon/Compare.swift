import ArgumentParser

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Compare runs side by side.")
    func run() throws {
        throw ValidationError("siamon compare is not built yet in this version; see the issues for its status.")
    }
}
