import ArgumentParser
import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Tensor

/// `siamon train --headless`: the same `TrainerHost` loop the TUI runs, with the console as its screen. Its
/// commands come through the store, so `siamon ctl` and any siamon steer it; signals and a closed stdout stop
/// it cleanly (checkpoint, final status), and the exit code says how it ended (`ExitStatus`).
struct HeadlessTraining {
    let name: String
    let config: RunConfig
    let preset: String
    let location: StoreLocationOptions
    let resume: Bool
    let fromScratch: Bool
    let nanPolicy: NaNPolicy
    let probe: Bool

    func run() throws {
        if fromScratch && !resume { throw CLIError("--from-scratch goes with --resume (it restarts an existing run from step 0)") }
        let dir = URL(fileURLWithPath: location.directory).appendingPathComponent(name)
        // Everything that bad input can break (the name, the owner, the checkpoint, the dataset) is checked
        // before the runs folder is written to, so a refused start leaves it exactly as it was.
        installInterruptHandlers()
        if resume { try checkResumable(dir: dir) }
        let session = try TrainingSession(name: name, config: config, runDirectory: dir, sinks: [], resume: resume && !fromScratch)
        if interruptRequested.load(ordering: .relaxed) {
            LongPhase.exitInterrupted("\(name): stopped while loading the data, before anything was written")
        }
        let db = try location.openForWriting()
        let runId = resume ? try db.takeOwnership(of: name)
            : try db.createRun(name: name, preset: preset, configJSON: config.json(), source: .siamon)
        if resume { try db.truncate(runId: runId, fromStep: session.step) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The writer's connection opens before this one closes: closing the last connection checkpoints the
        // WAL into the main file, which a nearly full disk may not have room for.
        let writer = try StoreWriter(path: db.path, runId: runId)
        db.close()
        let jsonl = try StepsFileSink(path: dir.appendingPathComponent("steps.jsonl").path, keepingStepsBelow: session.step)
        let console = ConsoleSink(name: name, total: session.totalSteps, every: config.train.logEvery, batch: config.train.batchSize)
        session.sinks = [writer, jsonl, console]
        Blas.threads = config.train.threads
        if let note = session.resumeNote { console.say("resume: \(note)") }
        if session.step > 0 { console.say("resuming \(name) at step \(session.step)") }
        let start = session.step
        let box = SessionBox(session)
        let host = TrainerHost(name: name, nanPolicy: nanPolicy, commands: writer) { box.session }
        host.start()
        let stoppedBy = superviseUntilEnded(host, console: console)
        console.finishLine()
        jsonl.close()
        let st = host.status
        do { try writer.finish(status: st.phase) } catch {
            console.say("\(name): the last metrics did not reach the store: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        console.say(summary(st, session: session, from: start, stoppedBy: stoppedBy))
        if probe && st.phase == .done {
            let store = try location.openForWriting()
            try ProbeCommand.run(session: session, store: store, runId: runId)
        }
        if let code = exitCode(st.phase, stoppedBy: stoppedBy, console: console) { throw ExitCode(code) }
    }

    /// Waits for the host, turning a signal or a closed stdout into one clean stop. Returns what stopped it.
    private func superviseUntilEnded(_ host: TrainerHost, console: ConsoleSink) -> String? {
        var stoppedBy: String?
        while !host.wait(timeout: 0.1) {
            guard stoppedBy == nil else { continue }
            let sig = interruptSignal.load(ordering: .relaxed)
            if sig != 0 { stoppedBy = signalName(sig) } else if console.broken { stoppedBy = "stdout closed" }
            if let why = stoppedBy { host.requestStop(reason: why) }
        }
        return stoppedBy
    }

    private func summary(_ st: HostStatus, session: TrainingSession, from start: Int, stoppedBy: String?) -> String {
        let loss = st.lastReport.map { String(format: "%.4f", $0.loss) } ?? "-"
        switch st.phase {
        case .done:
            return "done: \(name) \(session.step) steps, final loss \(loss), data wait "
                + String(format: "%.1f s over %d steps", session.loader.waitSeconds, session.step - start)
                + ", checkpoint in \(session.runDirectory.path)"
        case .stopped:
            let by = stoppedBy.map { " (\($0))" } ?? " (by a command)"
            return "stopped\(by) at step \(session.step): checkpoint saved; continue with --name \(name) --resume"
        default:
            return "\(st.phase.rawValue): \(name) at step \(st.step): \(st.error ?? "see the run's events")"
        }
    }

    private func exitCode(_ phase: RunStatus, stoppedBy: String?, console: ConsoleSink) -> Int32? {
        switch phase {
        case .done: return nil
        case .stopped:
            let sig = interruptSignal.load(ordering: .relaxed)
            if sig != 0 { return ExitStatus.signalled(sig) }
            return stoppedBy == "stdout closed" ? ExitStatus.stdoutClosed : ExitStatus.stoppedByCommand
        default: return ExitStatus.failed
        }
    }

    /// `--resume` of an imported run, of a run another process is training, or of a run with no checkpoint
    /// (unless `--from-scratch`) is refused before anything is written.
    private func checkResumable(dir: URL) throws {
        guard let db = try location.openForReading() else { throw StoreError.noSuchRun(name: name) }
        defer { db.close() }
        let r = try db.run(named: name)
        let now = Date().timeIntervalSince1970
        if r.source == .imported { throw OwnershipError.imported(run: name) }
        if MetricsDatabase.ownerAlive(r, now: now) {
            throw OwnershipError.ownedElsewhere(run: name, pid: r.writerPid ?? 0, host: r.writerHost ?? "?",
                                                heartbeatAge: r.heartbeat.map { now - $0 })
        }
        if Checkpoint.steps(in: dir).isEmpty && !fromScratch {
            throw CLIError("resume \(name): no checkpoint in \(dir.path), so there is nothing to continue from; "
                           + "restart it with --resume --from-scratch (its \(r.steps) logged steps are removed), or train a new --name")
        }
    }
}

/// Hands the prebuilt session to the trainer thread, which is its only user from then on.
private final class SessionBox: @unchecked Sendable {
    let session: TrainingSession
    init(_ s: TrainingSession) { session = s }
}
