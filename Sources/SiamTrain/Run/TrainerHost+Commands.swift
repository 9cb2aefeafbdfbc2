import Foundation
import RunCore
import Tensor

extension TrainerHost {
    /// Applies one command at a step boundary and answers it: an event naming the command's id when it
    /// changed something, and the outcome to the sinks (the store marks the row applied or refused).
    func apply(_ issued: IssuedCommand, session: TrainingSession, paused: inout Bool) -> Flow {
        let (flow, outcome) = perform(issued, session: session, paused: &paused)
        if let id = issued.id { for s in session.sinks { s.commandFinished(id: id, outcome) } }
        return flow
    }

    private func perform(_ issued: IssuedCommand, session: TrainingSession, paused: inout Bool) -> (Flow, CommandOutcome) {
        let id = issued.id, step = session.step
        switch issued.command {
        case .pause:
            guard !paused else { return (.proceed, .refused("run is already paused at step \(step)")) }
            paused = true
            session.event(.pause(RunEvent.Control(command: id)))
            session.status(.paused)
            update { $0.phase = .paused }
            return (.proceed, .applied("paused at step \(step)"))
        case .resume:
            guard paused else { return (.proceed, .refused("run is not paused (step \(step))")) }
            if nonFinite && !rollBack(session, command: id) {
                return (.proceed, .refused(status.error ?? "no checkpoint to roll back to; still paused"))
            }
            // Resuming by hand also ends a disk-full wait; the next checkpoint tries the disk again.
            paused = false; diskRetryAt = nil
            session.event(.resume(RunEvent.Control(command: id)))
            session.status(.running)
            update { $0.phase = .running; $0.error = nil }
            return (.proceed, .applied("resumed at step \(session.step)"))
        case .stop:
            return (.end, stop(session, command: id))
        case .scaleLearningRate(let f):
            let scale = session.trainer.learningRateScale * f
            session.trainer.learningRateScale = scale
            session.event(.lrScale(RunEvent.LRScale(factor: f, scale: scale, command: id)))
            update { $0.learningRateScale = scale }
            return (.proceed, .applied(String(format: "lr scale ×%g, now ×%g from step %d", f, scale, step)))
        case .checkpoint:
            switch checkpoint(session, command: id) {
            case .saved: return (.proceed, .applied("checkpoint-\(step) saved"))
            case .diskFull:
                reportDiskFull(session)
                return (.proceed, .refused("disk full in \(session.runDirectory.path); the previous checkpoint is kept"))
            case .failed: return (.proceed, .refused(status.error ?? "checkpoint failed"))
            }
        case .probe:
            return (.proceed, startProbe(session, command: id))
        }
    }

    /// Stop: checkpoint (unless the weights are suspect), the stop event with its reason, status stopped.
    private func stop(_ session: TrainingSession, command: Int64?) -> CommandOutcome {
        let reason = takeStopReason() ?? (command != nil ? "command" : nil)
        var said = "stopped at step \(session.step)"
        switch checkpoint(session) {
        case .saved: said += ", checkpoint-\(session.step) saved"
        case .diskFull: reportDiskFull(session); said += "; checkpoint failed: disk full (the previous one is kept)"
        case .failed: said += "; " + (status.error ?? "no checkpoint written")
        }
        session.event(.stop(RunEvent.Control(command: command, reason: reason)))
        session.status(.stopped)
        update { $0.phase = .stopped }
        return .applied(said)
    }

    /// Before resuming after a non-finite loss: back to the newest valid checkpoint. False (the run stays paused,
    /// the reason in the status) when there is none or it does not load.
    private func rollBack(_ session: TrainingSession, command: Int64?) -> Bool {
        let from = session.step
        let what = "non-finite loss at step \(session.lastReport?.step ?? from - 1)"
        do {
            guard let to = try session.rollback() else {
                update { $0.error = "\(what) and no checkpoint to go back to in \(session.runDirectory.path); still paused: stop the run and start it again with a lower optimizer.lr" }
                return false
            }
            nonFinite = false
            session.event(.rollback(RunEvent.Rollback(fromStep: from, toStep: to, reason: "non-finite loss", command: command)))
            update { $0.step = to }
            return true
        } catch {
            update { $0.error = "\(what); going back to a checkpoint failed: \(error); still paused" }
            return false
        }
    }

    /// probe-v1 on the newest checkpoint, on a thread of its own; the result goes to the sinks as a probe
    /// row and a `probe` event. One at a time; the run does not end before it is recorded.
    private func startProbe(_ session: TrainingSession, command: Int64?) -> CommandOutcome {
        if probe != nil {
            guard probeDone.wait(timeout: .now()) == .success else { return .refused("a probe is already running on \(name)") }
            probe = nil
        }
        guard let step = session.lastCheckpointStep ?? Checkpoint.steps(in: session.runDirectory).last else {
            return .refused("no checkpoint yet: send checkpoint first, then probe")
        }
        let runs = session.runDirectory.deletingLastPathComponent().path, name = self.name
        let sinks = session.sinks, done = probeDone
        let t = Thread {
            defer { done.signal() }
            do {
                let target = try ProbeTarget.resolve(name, runsDirectory: runs, checkpoint: step)
                try MemoryCheck.requireProbe(target.config, what: "probe \(name)")
                let splits = try ProbeRun.splits(data: target.config.data)
                let o = try ProbeRun.encoder(try target.network(), splits: splits, seed: 0, name: name,
                                             source: "checkpoint-\(step) of run \(name)")
                var detail = ProbeRun.eventDetail(o, checkpoint: Checkpoint.weightsName(step: step))
                detail.command = command
                for s in sinks {
                    s.probe(step: step, linear: o.result.linear, knn: o.result.knn, protocolName: ProbeV1.protocolName)
                    s.event(step: step, .probe(detail))
                }
            } catch {
                for s in sinks { s.event(step: step, .probeFailed(RunEvent.Failure(error: "\(error)", command: command))) }
            }
        }
        t.name = "siamon-probe-\(name)"
        probe = t
        t.start()
        return .applied("probe-v1 started on checkpoint-\(step)")
    }

    /// The run ends only after its probe is recorded.
    func waitForProbe() {
        guard probe != nil else { return }
        probeDone.wait()
        probe = nil
    }
}
