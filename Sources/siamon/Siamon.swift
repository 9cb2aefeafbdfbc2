import ArgumentParser

/// The command line: wiring only. Each subcommand lives in its own file.
@main
struct Siamon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siamon",
        abstract: "SiameseIM pre-training on the CPU, and a terminal UI that starts, watches and steers the runs.",
        version: "0.1.0",
        subcommands: [UI.self, Train.self, Ctl.self, Watch.self, Compare.self, Runs.self, Import.self, Export.self,
                      Probe.self, Bench.self, DumpStep.self, StoreChild.self, StoreBench.self],
        defaultSubcommand: UI.self)
}
