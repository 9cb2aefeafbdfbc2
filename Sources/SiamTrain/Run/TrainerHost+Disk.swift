import Foundation
import RunCore
import Tensor

extension TrainerHost {
    enum CheckpointResult { case saved, diskFull, failed }

    /// Saves a checkpoint. On a full disk it first removes the run's own older checkpoints (keeping the newest
    /// valid one) and tries once more; only then does it report `diskFull`.
    @discardableResult
    func checkpoint(_ session: TrainingSession, command: Int64? = nil) -> CheckpointResult {
        if nonFinite {
            let kept = session.lastCheckpointStep.map { "checkpoint-\($0)" } ?? "none"
            session.event(.checkpointSkipped(RunEvent.Skipped(reason: "non-finite loss", kept: kept)))
            update { $0.error = "non-finite loss: no checkpoint is written until resume rolls back (kept: \(kept))" }
            return .failed
        }
        switch save(session, command: command) {
        case .diskFull where pruneOlderCheckpoints(session):
            return save(session, command: command)
        case let r:
            return r
        }
    }

    private func save(_ session: TrainingSession, command: Int64?) -> CheckpointResult {
        do { try session.saveCheckpoint(command: command); return .saved } catch {
            if case SafetensorsError.diskFull = error { return .diskFull }
            session.event(.checkpointFailed(RunEvent.Failure(error: "\(error)")))
            update { $0.error = "checkpoint failed: \(error)" }
            return .failed
        }
    }

    /// Removes every checkpoint of this run older than its newest valid one. True when something was removed.
    private func pruneOlderCheckpoints(_ session: TrainingSession) -> Bool {
        let dir = session.runDirectory
        guard let keep = Checkpoint.latest(in: dir)?.step else { return false }
        var removed: [Int] = []
        for step in Checkpoint.steps(in: dir) where step < keep {
            for file in [Checkpoint.weightsName(step: step), Checkpoint.optimizerName(step: step)] {
                try? FileManager.default.removeItem(at: dir.appendingPathComponent(file))
            }
            removed.append(step)
        }
        guard !removed.isEmpty else { return false }
        session.event(.checkpointPruned(RunEvent.Pruned(removed: removed, reason: "disk full; kept checkpoint-\(keep)")))
        return true
    }

    /// A checkpoint asked for by hand (stop, the checkpoint command) that found the disk full: said, not retried.
    func reportDiskFull(_ session: TrainingSession) {
        session.event(.checkpointFailed(RunEvent.Failure(error: "disk full")))
        update { $0.error = "checkpoint failed: disk full in \(session.runDirectory.path); the previous checkpoint is kept" }
    }

    func pauseForDisk(_ session: TrainingSession, paused: inout Bool) {
        paused = true
        diskRetryAt = Date().addingTimeInterval(diskRetryInterval)
        let dir = session.runDirectory.path
        session.event(.diskFull(RunEvent.DiskFull(dir: dir, retrySeconds: diskRetryInterval)))
        session.status(.paused)
        update {
            $0.phase = .paused
            $0.error = "disk full writing checkpoint-\(session.step) in \(dir); paused, retrying every \(diskRetryInterval) s — free some space"
        }
    }

    /// One more checkpoint attempt while paused by a full disk; resumes the run when it is written.
    func retryAfterDiskFull(_ session: TrainingSession, paused: inout Bool) {
        switch checkpoint(session) {
        case .saved:
            paused = false; diskRetryAt = nil
            session.event(.resume(RunEvent.Control(reason: "disk_space")))
            session.status(.running)
            update { $0.phase = .running; $0.error = nil }
        case .diskFull:
            diskRetryAt = Date().addingTimeInterval(diskRetryInterval)
        case .failed:
            // Not the disk any more: stay paused for the user, who can see the error.
            diskRetryAt = nil
        }
    }
}
