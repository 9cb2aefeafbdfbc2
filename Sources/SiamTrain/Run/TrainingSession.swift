import Foundation
import RunCore
import Tensor
import ViT

/// One run's training state on one thread: data, trainer, checkpoints and the report sinks.
/// The TrainerHost drives it from its thread; `siamon train --headless` drives it from the main thread.
public final class TrainingSession {
    public let name: String
    public let config: RunConfig
    public let runDirectory: URL
    public let trainer: SiameseTrainer
    public let source: ImageSource
    public private(set) var loader: BatchLoader
    public private(set) var step: Int
    public var totalSteps: Int { trainer.schedule.totalSteps }
    public var sinks: [ReportSink]
    public private(set) var lastReport: StepReport?
    public private(set) var lastCheckpointStep: Int?
    /// Why the session resumed from where it did (e.g. a damaged newest checkpoint), for the log.
    public private(set) var resumeNote: String?

    /// Builds the run. With `resume`, continues from the newest valid checkpoint in `runDirectory`.
    public init(name: String, config: RunConfig, runDirectory: URL, sinks: [ReportSink], resume: Bool) throws {
        self.name = name; self.config = config; self.runDirectory = runDirectory; self.sinks = sinks
        try MemoryCheck.require(config, what: "train \(name)")
        if let line = GemmPrecision.refusal(config.train.gemmPrecision) { throw SessionError.precisionUnavailable(line) }
        source = try DataSources.make(config.data, split: .train)
        let builder = try BatchBuilder(source: source, config: config)
        trainer = SiameseTrainer(config: config, stepsPerEpoch: builder.stepsPerEpoch)
        var start = 0
        if resume, let loaded = try Self.latestForResume(name: name, dir: runDirectory) {
            do { try Self.restore(trainer, from: loaded) } catch {
                throw SessionError.checkpointDoesNotFit(run: name, step: loaded.step, detail: "\(error)")
            }
            start = loaded.step
            lastCheckpointStep = loaded.step
            resumeNote = loaded.note
        }
        step = start
        loader = try BatchLoader(source: source, config: config, startStep: start)
    }

    /// Runs one iteration and reports it to every sink. Snapshots every `snapshot_every` steps.
    @discardableResult
    public func runStep() -> StepReport {
        let batch = loader.next()
        let report = trainer.step(batch, step: step)
        lastReport = report
        for s in sinks { s.record(report) }
        let every = config.train.snapshotEvery
        if every > 0 && step % every == 0 {
            let snap = Snapshots.make(step: step, batch: batch, source: source, config: config)
            for s in sinks { s.snapshot(snap) }
        }
        step += 1
        return report
    }

    public var isFinished: Bool { step >= totalSteps }
    public func shouldCheckpoint() -> Bool {
        let every = config.train.checkpointEvery
        return every > 0 && step > 0 && step % every == 0 && lastCheckpointStep != step
    }

    /// Saves weights (official names, online + target) and optimizer state for the next step to run.
    @discardableResult
    public func saveCheckpoint(command: Int64? = nil) throws -> URL {
        let net = trainer.network, opt = trainer.optimizer
        let moments = net.trainableNames.map { ($0, opt.m[$0], opt.v[$0]) }
        let meta = [Checkpoint.Key.config: config.json(), Checkpoint.Key.dataSeed: String(config.train.seed),
                    Checkpoint.Key.dataPosition: String(step), "adam_step": String(opt.step),
                    "lr_scale": String(trainer.learningRateScale), "run": name]
        let url = try Checkpoint.save(dir: runDirectory, step: step, weights: StateDictIO.namedTensors(net),
                                      optimizer: Checkpoint.moments(moments), metadata: meta)
        lastCheckpointStep = step
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        for s in sinks {
            s.checkpoint(step: step, path: url.path, bytes: bytes ?? 0)
            s.event(step: step, .checkpoint(RunEvent.CheckpointSaved(path: url.lastPathComponent, command: command)))
        }
        return url
    }

    /// Goes back to the newest valid checkpoint, as `--resume` would: weights (online, target, BN buffers), AdamW
    /// state, step and data position. The LR scale is kept: the user may have lowered it while paused.
    /// Returns the step gone back to, or nil when the run has no checkpoint (nothing changes then).
    public func rollback() throws -> Int? {
        guard let loaded = try Self.latestForResume(name: name, dir: runDirectory) else { return nil }
        let scale = trainer.learningRateScale
        do { try Self.restore(trainer, from: loaded) } catch {
            throw SessionError.checkpointDoesNotFit(run: name, step: loaded.step, detail: "\(error)")
        }
        trainer.learningRateScale = scale
        loader.stop()
        loader = try BatchLoader(source: source, config: config, startStep: loaded.step)
        step = loaded.step
        lastCheckpointStep = loaded.step
        return loaded.step
    }

    /// The checkpoint to resume from; nil when the run has none yet (it starts at step 0). A run whose
    /// checkpoints all fail to load is an error: silently starting over would cost the user their progress.
    static func latestForResume(name: String, dir: URL) throws -> Checkpoint.Loaded? {
        if let loaded = Checkpoint.latest(in: dir) { return loaded }
        let steps = Checkpoint.steps(in: dir)
        guard let newest = steps.last else { return nil }
        let why: String
        do { _ = try Checkpoint.load(dir: dir, step: newest); why = "it loads on retry" } catch { why = "\(error)" }
        throw SessionError.noLoadableCheckpoint(run: name, dir: dir.path, count: steps.count, newest: why)
    }

    static func restore(_ trainer: SiameseTrainer, from loaded: Checkpoint.Loaded) throws {
        try StateDictIO.load(trainer.network, from: loaded.weights)
        for name in trainer.network.trainableNames {
            try loaded.optimizer.copy("m." + name, into: trainer.optimizer.m[name])
            try loaded.optimizer.copy("v." + name, into: trainer.optimizer.v[name])
        }
        trainer.optimizer.restore(step: Int(loaded.metadata["adam_step"] ?? "") ?? loaded.step)
        trainer.learningRateScale = Double(loaded.metadata["lr_scale"] ?? "") ?? 1
    }

    public func event(_ event: RunEvent) {
        for s in sinks { s.event(step: step, event) }
    }

    public func status(_ status: RunStatus) {
        for s in sinks { s.statusChanged(status) }
    }

    public func close() { loader.stop() }
}

/// A JSON string literal for small event details.
func jsonString(_ s: String) -> String { JSONValue.quote(s) }

/// Why a session could not start from its checkpoints. One line each: what, where, what to do.
public enum SessionError: Error, CustomStringConvertible, Equatable {
    case noLoadableCheckpoint(run: String, dir: String, count: Int, newest: String)
    case checkpointDoesNotFit(run: String, step: Int, detail: String)
    /// train.precision asks for what this CPU cannot run (bf16 without AVX512_BF16); the line says so.
    case precisionUnavailable(String)

    public var description: String {
        switch self {
        case let .noLoadableCheckpoint(run, dir, count, newest):
            return "resume \(run): none of the \(count) checkpoint(s) in \(dir) loads (newest: \(newest)); "
                + "restore a checkpoint file or start a new run without --resume"
        case let .checkpointDoesNotFit(run, step, detail):
            return "resume \(run): checkpoint-\(step) does not load into this model (\(detail)); resume with the preset and --set the run was started with"
        case let .precisionUnavailable(line):
            return line
        }
    }
}
