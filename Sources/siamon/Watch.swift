import ArgumentParser

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Watch runs that another process writes.")
    func run() throws {
        throw ValidationError("siamon watch is not built yet in this version; see the issues for its status.")
    }
}
