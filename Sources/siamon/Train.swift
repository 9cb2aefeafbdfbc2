import ArgumentParser
import Foundation
import MetricsStore
import SiamTrain
import Synchronization
import Tensor
import ViT

/// Set by SIGINT/SIGTERM; the training loop checkpoints and exits cleanly when it sees it.
let interruptRequested = Atomic<Bool>(false)

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a preset; --headless prints a progress bar instead of opening the TUI.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var location: StoreLocationOptions
    @Option(help: "Run name (default: the preset plus a timestamp).") var name: String?
    @Flag(help: "Train in this terminal with a progress bar (plain lines when stdout is not a terminal).")
    var headless = false
    @Flag(help: "Continue the named run from its newest valid checkpoint.") var resume = false
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
        try SiamTrain.RunName.validate(runName)
        let dir = URL(fileURLWithPath: location.directory).appendingPathComponent(runName)
        // Everything that bad input can break (the run name, the database, the dataset, the checkpoint) is
        // checked before the runs folder is written to, so a failed start leaves it exactly as it was.
        if resume, let existing = try location.openForReading() { _ = try existing.runId(named: runName); existing.close() }
        let session = try TrainingSession(name: runName, config: c, runDirectory: dir, sinks: [], resume: resume)
        defer { session.close() }
        let db = try location.openForWriting()
        let runId = resume ? try db.runId(named: runName)
            : try db.createRun(name: runName, preset: RunNaming.presetName(config.preset), configJSON: c.json(), source: .siamon)
        if resume { try db.setStatus(runId: runId, .running) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let writer = try StoreWriter(path: db.path, runId: runId)
        let jsonl = try StepsFileSink(path: dir.appendingPathComponent("steps.jsonl").path)
        session.sinks = [writer, jsonl]
        Blas.threads = c.train.threads
        installInterruptHandlers()
        let outcome = HeadlessLoop(session: session).run()
        jsonl.close()
        try writer.finish(status: outcome.status)
        print(outcome.message)
        if probe && outcome.status == .done { try ProbeCommand.run(session: session, store: db, runId: runId) }
        if outcome.status == .failed { throw ExitCode.failure }
    }
}

/// The headless training loop: steps, periodic checkpoints, the progress display, Ctrl-C, and NaN handling.
struct HeadlessLoop {
    let session: TrainingSession

    func run() -> (status: RunStatus, message: String) {
        var progress = ProgressPrinter(total: session.totalSteps, every: session.config.train.logEvery)
        if let note = session.resumeNote { print("resume: \(note)") }
        if session.step > 0 { print("resuming \(session.name) at step \(session.step)") }
        let stepsAtStart = session.step
        while !session.isFinished {
            if interruptRequested.load(ordering: .relaxed) {
                progress.finishLine()
                return stop(reason: "interrupted")
            }
            let r = session.runStep()
            progress.update(r, batch: session.config.train.batchSize)
            if !r.loss.isFinite {
                progress.finishLine()
                session.event("nan", detail: "{\"step\":\(r.step)}")
                let kept = session.lastCheckpointStep.map { "checkpoint-\($0)" } ?? "no checkpoint yet"
                return (.failed, "non-finite loss at step \(r.step); stopped without saving (last good: \(kept)); lower optimizer.lr and --resume")
            }
            if session.shouldCheckpoint() {
                do { try saveWaitingForSpace(progress: &progress) } catch { progress.finishLine(); return stop(reason: "interrupted") }
            }
        }
        progress.finishLine()
        do { try saveWaitingForSpace(progress: &progress) } catch { return (.failed, "final checkpoint failed: \(error)") }
        session.event("done")
        let waited = session.loader.waitSeconds
        let steps = session.step - stepsAtStart
        return (.done, "done: \(session.name) \(session.step) steps, final loss \(fmt(session.lastReport?.loss)), "
                + "data wait \(String(format: "%.1f", waited)) s over \(steps) steps, checkpoint in \(session.runDirectory.path)")
    }

    /// Saves a checkpoint. On a full disk, training pauses (a `disk_full` event and one line) and the save is
    /// retried every `diskRetrySeconds` until it succeeds (a `resume` event) or Ctrl-C; other errors are skipped
    /// at periodic checkpoints as before and rethrown here only for the caller's final save.
    func saveWaitingForSpace(progress: inout ProgressPrinter, diskRetrySeconds: UInt32 = 5) throws {
        var waiting = false
        while true {
            do {
                try session.saveCheckpoint()
                if waiting { print("disk space is back: checkpoint-\(session.step) saved, training resumes"); session.event("resume", detail: "{\"reason\":\"disk_space\"}") }
                return
            } catch SafetensorsError.diskFull(let path) {
                if !waiting {
                    progress.finishLine()
                    print("disk full writing \(path); training paused, retrying every \(diskRetrySeconds) s (free some space, or Ctrl-C to stop)")
                    fflush(nil)   // stdout may be a file or a pipe: the line must show while training waits
                    session.event("disk_full", detail: "{\"retry_seconds\":\(diskRetrySeconds)}")
                    waiting = true
                }
                if interruptRequested.load(ordering: .relaxed) { throw SafetensorsError.diskFull(path: path) }
                sleep(diskRetrySeconds)
            } catch {
                if session.isFinished { throw error }
                return
            }
        }
    }

    func stop(reason: String) -> (status: RunStatus, message: String) {
        do { try session.saveCheckpoint() } catch { return (.failed, "\(reason); checkpoint failed: \(error)") }
        session.event("stop", detail: "{\"reason\":\"\(reason)\"}")
        return (.stopped, "\(reason) at step \(session.step): checkpoint saved; continue with --name \(session.name) --resume")
    }

    func fmt(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "-" }
}

func installInterruptHandlers() {
    // A parent may hand down SIGINT/SIGTERM blocked (posix_spawn keeps the caller's mask, and a test runner's
    // threads block them): unblock them here, or Ctrl-C and kill would never reach the handler.
    var set = sigset_t()
    sigemptyset(&set); sigaddset(&set, SIGINT); sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT) { _ in interruptRequested.store(true, ordering: .relaxed) }
    signal(SIGTERM) { _ in interruptRequested.store(true, ordering: .relaxed) }
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
