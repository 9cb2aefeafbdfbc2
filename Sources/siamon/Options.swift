import ArgumentParser
import Foundation
import SiamTrain

/// Options shared by the commands that build a run configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "A preset name (runs/presets/NAME.json) or a path to a preset JSON file.")
    var preset: String = "fmnist-tiny"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a preset field, e.g. --set optimizer.lr=2e-3.",
                                                        valueName: "section.key=value"))
    var overrides: [String] = []

    /// The preset with every `--set` applied and validated.
    func load() throws -> RunConfig {
        try Presets.load(nameOrPath: preset).applying(overrides: overrides)
    }
}
