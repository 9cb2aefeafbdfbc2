import ArgumentParser

struct DumpStep: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dump-step", abstract: "Write weights, batch and result of one step for PyTorch interop.")
    func run() throws {
        throw ValidationError("siamon dump-step is not built yet in this version; see the issues for its status.")
    }
}
