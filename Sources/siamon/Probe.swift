import ArgumentParser

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "probe-v1: linear and kNN accuracy of a run or checkpoint.")
    func run() throws {
        throw ValidationError("siamon probe is not built yet in this version; see the issues for its status.")
    }
}
