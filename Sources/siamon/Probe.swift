import ArgumentParser
import Foundation
import MetricsStore
import SiamTrain

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "probe-v1: linear and kNN accuracy of a run or checkpoint.")
    func run() throws {
        throw ValidationError("siamon probe is not wired yet in this build")
    }
}

enum ProbeCommand {
    static func run(session: TrainingSession, store: MetricsDatabase, runId: Int64) throws {
        print("probe-v1: not wired yet in this build")
    }
}
