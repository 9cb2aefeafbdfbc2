import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Synchronization
import Tensor

/// Why a run did not start. One line each.
public enum StartError: Error, CustomStringConvertible {
    case noCheckpoint(run: String, dir: String)
    public var description: String {
        switch self {
        case .noCheckpoint(let run, let dir):
            "cannot fork \(run): no valid checkpoint in \(dir); save one first (k in the TUI, `siamon ctl \(run) checkpoint`)"
        }
    }
}

extension RunEngine {
    /// Starts a run from a preset (or forks `parent` from its newest checkpoint) with overrides. The config,
    /// the database rows and the fork's checkpoint copy are handled on the worker thread, and the session
    /// (dataset loading included) is built on the trainer's own thread; problems become notices.
    public func start(preset: String, name requested: String, overrides: [String: String], forkOf parent: String?) {
        let sets = overrides.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }.sorted()
        let name = requested.isEmpty ? defaultName(parent ?? preset) : requested
        do { try RunName.validate(name) } catch { startFailed(name, "\(error)"); return }
        let dir = runsDirectory.appendingPathComponent(name)
        let path = databasePath, runs = runsDirectory, adopted = self.adopted, notices = self.notices
        worker.submit { db in
            do {
                let base = try parent.map { try Self.forkConfig(of: $0, runs: runs) } ?? Presets.load(nameOrPath: preset)
                let config = try base.applying(overrides: sets)
                let parentRef = try parent.map { p -> RunParent in
                    let id = try db.runId(named: p)
                    let step = try Self.copyLatestCheckpoint(from: runs.appendingPathComponent(p), to: dir)
                    return RunParent(runId: id, step: step)
                }
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let presetName = parent.map { "fork of \($0)" } ?? preset
                let runId = try db.createRun(name: name, preset: presetName, configJSON: config.json(), source: .siamon, parent: parentRef)
                if let p = parentRef { try db.addEvent(runId: p.runId, step: p.step, .fork(RunEvent.Fork(child: name))) }
                let writer = try StoreWriter(path: path, runId: runId)
                let jsonl = try StepsFileSink(path: dir.appendingPathComponent("steps.jsonl").path)
                let host = TrainerHost(name: name, commands: writer) {
                    try TrainingSession(name: name, config: config, runDirectory: dir, sinks: [writer, jsonl], resume: parentRef != nil)
                }
                adopted.add(Adoption(name: name, host: host, writer: writer, steps: jsonl, threads: config.train.threads))
                notices.post(parent.map { "forked \($0) at step \(parentRef!.step) as \(name)" } ?? "started \(name)")
            } catch {
                adopted.fail(name)   // frees the queue slot this start held
                notices.post("\(error)")
            }
        }
    }

    func startFailed(_ name: String, _ why: String) {
        adopted.fail(name)   // frees the queue slot this start held
        notices.post(why)
    }

    func adopt(_ a: Adoption) {
        hosts[a.name] = LiveRun(host: a.host, writer: a.writer, steps: a.steps, threads: a.threads)
        rebalanceThreads()
        a.host.start()
    }

    /// One live run gets its own `train.threads` (at most the cores); several share the cores, one thread each,
    /// and get them back as the others end. Probes count as runs.
    func rebalanceThreads() {
        let live = hosts.values.filter { $0.host.status.isLive }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        if live.count + probes.count > 1 { Blas.threads = 1; return }
        Blas.threads = min(cores, live.first?.threads ?? cores)
    }

    static func forkConfig(of run: String, runs: URL) throws -> RunConfig {
        let dir = runs.appendingPathComponent(run)
        guard let loaded = Checkpoint.latest(in: dir), let json = loaded.metadata[Checkpoint.Key.config] else {
            throw StartError.noCheckpoint(run: run, dir: dir.path)
        }
        return try RunConfig.decode(json: json, source: "checkpoint of \(run)")
    }

    /// Copies the parent's newest valid checkpoint into the child's folder; returns its step.
    static func copyLatestCheckpoint(from parentDir: URL, to dir: URL) throws -> Int {
        guard let loaded = Checkpoint.latest(in: parentDir) else {
            throw StartError.noCheckpoint(run: parentDir.lastPathComponent, dir: parentDir.path)
        }
        let fm = FileManager.default
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        for file in [Checkpoint.weightsName(step: loaded.step), Checkpoint.optimizerName(step: loaded.step)] {
            let dst = dir.appendingPathComponent(file)
            if fm.fileExists(atPath: dst.path) { try fm.removeItem(at: dst) }
            try fm.copyItem(at: parentDir.appendingPathComponent(file), to: dst)
        }
        try Data("\(loaded.step)\n".utf8).write(to: dir.appendingPathComponent(Checkpoint.pointerName), options: .atomic)
        return loaded.step
    }

    func defaultName(_ base: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "MMdd-HHmmss"
        var name = "\(URL(fileURLWithPath: base).deletingPathExtension().lastPathComponent)-\(f.string(from: Date()))"
        while hosts[name] != nil { name += "b" }
        return name
    }
}

/// A host built on the worker thread, for the driving thread to adopt.
struct Adoption: Sendable { let name: String; let host: TrainerHost; let writer: StoreWriter; let steps: StepsFileSink; let threads: Int }

/// Hand-off of new hosts and failed starts from the worker thread to the driving thread.
final class AdoptionQueue: Sendable {
    private let state = Mutex<(ready: [Adoption], failed: Set<String>)>(([], []))
    func add(_ a: Adoption) { state.withLock { $0.ready.append(a) } }
    func take() -> [Adoption] { state.withLock { s in defer { s.ready.removeAll() }; return s.ready } }
    func fail(_ name: String) { state.withLock { _ = $0.failed.insert(name) } }
    func takeFailure(_ name: String) -> Bool { state.withLock { $0.failed.remove(name) != nil } }
}
