import ArgumentParser
import Foundation
import MetricsStore
import SiamTrain
import Tensor
import ViT

/// `siamon probe RUN|FILE.safetensors`: probe-v1 (docs/probe-v1.md) on a checkpoint; recorded in the store for a RUN.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "probe-v1: linear and kNN accuracy of a run or checkpoint.")

    @Argument(help: "A run name (its latest checkpoint in the runs folder) or a weights .safetensors file; may be left out with --baselines.")
    var target: String?
    @OptionGroup var location: StoreLocationOptions
    @Option(help: "Probe this checkpoint step of the run instead of the latest.") var checkpoint: Int?
    @Flag(help: "Also probe raw pixels (/255) and a randomly initialised encoder of the same preset.")
    var baselines = false
    @Option(help: "Preset for the network (default: the checkpoint's recorded config, else fmnist-tiny).")
    var preset: String?
    @Option(name: .customLong("limit-train"), help: "Use only the first N train images.") var limitTrain: Int?
    @Option(name: .customLong("limit-test"), help: "Use only the first N test images.") var limitTest: Int?
    @Option(help: "Seed of the linear probe's shuffles.") var seed: UInt64 = 0
    @Option(name: .customLong("save-features"), help: ArgumentHelp(
        "Also write the probed features to this .safetensors file.",
        discussion: "Per kind K (encoder = the RUN/FILE; pixels and random with --baselines): K.train.features F32 [N, D], K.train.labels I64 [N], K.test.features, K.test.labels; features as the probes see them, before the linear probe's standardisation."))
    var saveFeatures: String?

    func run() throws {
        BlasSetup.reexecIfNeeded()
        guard target != nil || baselines else {
            throw ProbeError.input("give a RUN name or a weights .safetensors file (or --baselines alone for the baselines)")
        }
        // Checked before the (long) feature extraction: not a file siamon owns, in a writable folder.
        if let path = saveFeatures { try OwnedFiles.refuse(path, flag: "--save-features", runsDirectory: location.directory) }
        LongPhase.installHandlers()
        try LongPhase.run { try probe() }
    }

    /// The probes and the features file; polls Ctrl-C between chunks and epochs.
    func probe() throws {
        let cancelled = LongPhase.cancelled
        let config: RunConfig
        var splits: ProbeRun.Splits?
        var saved: [FeatureFile.Kind] = []
        var metadata: [String: String] = ["seed": String(seed)]
        if let target {
            let t = try ProbeTarget.resolve(target, runsDirectory: location.directory, checkpoint: checkpoint, preset: preset)
            if let note = t.note { print("note: \(note)") }
            try MemoryCheck.requireProbe(t.config, what: "probe \(target)")
            let network = try t.network()
            config = t.config
            Blas.threads = config.train.threads
            print("probing \(t.weightsPath) (step \(t.step), config from \(t.configOrigin))")
            let s = try ProbeRun.splits(data: config.data, limitTrain: limitTrain, limitTest: limitTest, cancelled: cancelled)
            splits = s
            let source = t.runName.map { "checkpoint-\(t.step) of run \($0)" } ?? t.weightsPath
            let outcome = try ProbeRun.encoder(network, splits: s, seed: seed, source: source, cancelled: cancelled)
            print(outcome.line)
            saved.append(FeatureFile.Kind(name: "encoder", train: outcome.train, test: outcome.test))
            metadata["weights"] = t.weightsPath
            metadata["config"] = t.config.json()
            if let run = t.runName {
                if limitTrain != nil || limitTest != nil {
                    print("not recorded in the store: a --limit-train/--limit-test subset is not probe-v1")
                } else {
                    record(outcome, run: run, step: t.step, checkpoint: (t.weightsPath as NSString).lastPathComponent)
                }
            }
        } else {
            config = try Presets.load(nameOrPath: preset ?? ProbeTarget.defaultPreset)
            try MemoryCheck.requireProbe(config, what: "probe --baselines")
        }
        if baselines {
            Blas.threads = config.train.threads
            let s = try splits ?? ProbeRun.splits(data: config.data, limitTrain: limitTrain, limitTest: limitTest, cancelled: cancelled)
            let px = try ProbeRun.pixels(splits: s, seed: seed, cancelled: cancelled)
            print(px.line)
            let random = SiameseNetwork(shape: config.networkShape, seed: config.train.seed)
            let o = try ProbeRun.encoder(random, splits: s, seed: seed, name: "random init, seed \(config.train.seed)",
                                         source: "the random init (seed \(config.train.seed))", cancelled: cancelled)
            print(o.line + String(format: "  [features %.1f s, linear %.1f s, kNN %.1f s]", o.featureSeconds,
                                  o.result.linearSeconds, o.result.knnSeconds))
            saved += [FeatureFile.Kind(name: "pixels", train: px.train, test: px.test),
                      FeatureFile.Kind(name: "random", train: o.train, test: o.test)]
            metadata["random_seed"] = String(config.train.seed)
            if metadata["config"] == nil { metadata["config"] = config.json() }
        }
        if let path = saveFeatures {
            try FeatureFile.write(path: path, kinds: saved, metadata: metadata)
            print("wrote features \(saved.map(\.name).joined(separator: ", ")) to \(path)")
        }
    }

    /// Adds the probe row and a `probe` event to the store; a run missing from the store is a warning only.
    func record(_ o: ProbeRun.Outcome, run: String, step: Int, checkpoint: String) {
        do {
            guard try location.openForReading() != nil else {
                warn("not recorded: there is no store in \(location.directory)/")
                return
            }
            let db = try location.openForWriting()
            defer { db.close() }
            let runId = try db.runId(named: run)
            try ProbeCommand.record(o, db: db, runId: runId, step: step, checkpoint: checkpoint)
        } catch {
            warn("not recorded in the store: \(error)")
        }
    }

    func warn(_ s: String) { FileHandle.standardError.write(Data("probe: \(s)\n".utf8)) }
}

enum ProbeCommand {
    /// `train --probe`: probe-v1 on the session's live network after training, recorded at the session's step.
    /// Ctrl-C or SIGTERM stops it between chunks and epochs: one line, exit 130/143, nothing recorded.
    static func run(session: TrainingSession, store: MetricsDatabase, runId: Int64) throws {
        LongPhase.installHandlers()
        try LongPhase.run {
            let splits = try ProbeRun.splits(data: session.config.data, cancelled: LongPhase.cancelled)
            let outcome = try ProbeRun.encoder(session.trainer.network, splits: splits, seed: 0,
                                               source: "run \(session.name) at step \(session.step)",
                                               cancelled: LongPhase.cancelled)
            print(outcome.line)
            try record(outcome, db: store, runId: runId, step: session.step, checkpoint: nil)
        }
    }

    static func record(_ o: ProbeRun.Outcome, db: MetricsDatabase, runId: Int64, step: Int, checkpoint: String?) throws {
        try db.addProbe(ProbeRecord(runId: runId, step: step, linear: o.result.linear, knn: o.result.knn,
                                    protocolName: ProbeV1.protocolName, wallTime: Date().timeIntervalSince1970))
        try db.addEvent(runId: runId, step: step, .probe(ProbeRun.eventDetail(o, checkpoint: checkpoint)))
    }
}
