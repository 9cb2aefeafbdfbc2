import ArgumentParser
import Foundation
import MetricsStore
import SiamTrain
import RunCore
import Tensor
import ViT

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a preset; --headless prints a progress bar instead of opening the TUI.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var location: StoreLocationOptions
    @Option(help: "Run name (default: the preset plus a timestamp).") var name: String?
    @Flag(help: "Train in this terminal with a progress bar (plain lines when stdout is not a terminal).")
    var headless = false
    @Flag(help: "Continue the named run from its newest valid checkpoint; steps it logged after that checkpoint are removed.")
    var resume = false
    @Flag(name: .customLong("from-scratch"), help: "With --resume: restart a run that has no checkpoint from step 0 (its logged steps are removed).")
    var fromScratch = false
    @Option(name: .customLong("on-nan"), help: "What a non-finite loss does: pause (wait for `siamon ctl RUN resume|stop`) or fail (exit 1).")
    var onNaN: NaNPolicy = .pause
    @Flag(help: "Run probe-v1 on the final weights.") var probe = false
    @Flag(help: "Print the model's shapes and parameter counts, then exit without training.") var describe = false
    @Option(help: ArgumentHelp("Run every preset of a sweep (ablations: runs/presets/ablation-*.json), each probed at the end.",
                               valueName: "name")) var sweep: String?
    @Option(help: "With --sweep: how many runs train at once (1 or 2; two use one BLAS thread each).") var parallel = 1
    @Option(name: .customLong("probe-limit"),
            help: "With --sweep: probe only the first N train and test images (stored as probe-v1-subset, for smoke sweeps).")
    var probeLimit: Int?

    func run() throws {
        BlasSetup.reexecIfNeeded()
        if let warning = BlasSetup.selfCheck() { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        if let sweep {
            if name != nil || resume || describe || config.preset != "fmnist-tiny" {
                throw CLIError("--sweep runs its own presets, named <sweep>-<row>-<stamp>; leave out --preset, --name, --resume and --describe")
            }
            try SweepRun(sweep: sweep, overrides: config.overrides, parallel: parallel, probeLimit: probeLimit,
                         headless: headless, location: location).run()
            return
        }
        let c = try config.load()
        if describe { print(ModelDescription.text(c)); return }
        let runName = name ?? RunNaming.defaultName(preset: config.preset)
        if !headless && isatty(STDOUT_FILENO) != 0 && !resume {
            let overrides = Dictionary(config.overrides.compactMap { o -> (String, String)? in
                guard let eq = o.firstIndex(of: "=") else { return nil }
                return (String(o[..<eq]), String(o[o.index(after: eq)...]))
            }, uniquingKeysWith: { _, b in b })
            try TerminalApp.open(location: location, theme: nil, readOnly: false,
                                 startRun: (config.preset, runName, overrides)) { $0.selectedRunId = runName }
            return
        }
        try RunName.validate(runName)
        try HeadlessTraining(name: runName, config: c, preset: RunNaming.presetName(config.preset), location: location,
                             resume: resume, fromScratch: fromScratch, nanPolicy: onNaN, probe: probe).run()
    }
}

enum RunNaming {
    static func presetName(_ preset: String) -> String {
        URL(fileURLWithPath: preset).deletingPathExtension().lastPathComponent
    }
    static func defaultName(preset: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "\(presetName(preset))-\(f.string(from: Date()))"
    }
}

/// `siamon train --describe`: the network's shapes and parameter counts from its layout table (no allocation).
enum ModelDescription {
    static func text(_ c: RunConfig) -> String {
        let S = c.networkShape, layout = SiameseLayout(shape: S)
        func n(_ x: Int) -> String {
            let f = NumberFormatter(); f.numberStyle = .decimal; f.groupingSeparator = ","
            return f.string(from: NSNumber(value: x)) ?? String(x)
        }
        return """
            model: ViT \(S.imageSize)px/\(S.model.patchSize) (\(S.patches) patches), D=\(S.dim), depth \(S.model.depth), heads \(S.model.heads), \
            projector \(S.model.projectorDepth) \(S.model.projectorNorm.uppercased()) + decoder \(S.model.decoderDepth) \(S.model.decoderNorm.uppercased()) blocks \
            (\(S.model.decoderHeads) heads), mask \(S.maskCount)/\(S.patches) \(c.mask.kind)
            tokens: online \(S.onlineTokens), target \(S.model.pixelTarget ? "none (pixel target)" : String(S.targetTokens)), \
            decoder \(S.decoderTokens); prediction \(S.predictionDim) per patch
            ablation: target \(S.model.target), views \(c.augment.views), color_aug \(c.augment.colorAug), \
            loss \(c.loss.norm)/\(c.loss.kind)
            parameters: \(n(layout.trainableCount)) trainable + \(n(layout.frozenPatchEmbedCount)) frozen (patch embedding); target (EMA) \(n(layout.target.count))
            memory: needs about \(MemoryEstimate(config: c).text(batch: c.train.batchSize))
            """
    }
}
extension NaNPolicy: ExpressibleByArgument {}
