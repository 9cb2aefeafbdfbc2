import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks: kernels, the training step, the data pipeline.")
    func run() throws {
        throw ValidationError("siamon bench is not built yet in this version; see the issues for its status.")
    }
}
