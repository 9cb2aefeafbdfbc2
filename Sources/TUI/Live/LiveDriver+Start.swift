import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Tensor

extension LiveDriver {
    /// Starts a run from a preset (or forks `forkOf` from its newest checkpoint) with the dialog's overrides.
    /// Config errors come back as one-line messages; reading the preset or the parent's checkpoint, the
    /// database write and the copy happen on the bridge thread (never a file read on the UI thread), and the
    /// session (dataset loading included) is built on the trainer's own thread.
    func start(preset: String, name requested: String, overrides: [String: String], forkOf parent: String?) {
        guard !readOnly else { outbox.append(.message("watch mode: start runs from `siamon`")); return }
        let sets = overrides.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }.sorted()
        let name = requested.isEmpty ? defaultName(parent ?? preset) : requested
        do { try RunName.validate(name) } catch { bridge.startFailed(name); outbox.append(.message("\(error)")); return }
        let dir = runsDirectory.appendingPathComponent(name)
        let presetName = parent.map { "fork of \($0)" } ?? preset
        let path = databasePath, runs = runsDirectory, bridge = self.bridge
        bridge.submit(.work { db in
          do {
            let base = try parent.map { try Self.forkConfig(of: $0, runs: runs) } ?? Presets.load(nameOrPath: preset)
            let config = try base.applying(overrides: sets)
            let parentRef = try parent.map { p -> RunParent in
                let id = try db.runId(named: p)
                let step = try Self.copyLatestCheckpoint(from: runs.appendingPathComponent(p), to: dir)
                return RunParent(runId: id, step: step)
            }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let runId = try db.createRun(name: name, preset: presetName, configJSON: config.json(), source: .siamon, parent: parentRef)
            if let p = parentRef, let parent { try db.addEvent(runId: p.runId, step: p.step, .fork(RunEvent.Fork(child: name))) }
            let writer = try StoreWriter(path: path, runId: runId)
            let jsonl = try StepsFileSink(path: dir.appendingPathComponent("steps.jsonl").path)
            let host = TrainerHost(name: name) {
                try TrainingSession(name: name, config: config, runDirectory: dir, sinks: [writer, jsonl], resume: parentRef != nil)
            }
            bridge.adopted.withLock { $0.append(StoreBridge.Adoption(name: name, host: host, writer: writer, steps: jsonl)) }
            return [.message(parent == nil ? "started \(name)" : "forked \(parent!) at step \(parentRef!.step) as \(name)")]
          } catch {
            bridge.startFailed(name)   // frees the queue slot this start held
            throw error
          }
        })
    }

    func adopt(name: String, host: TrainerHost, writer: StoreWriter, steps: StepsFileSink) {
        hosts[name] = LiveRun(host: host, writer: writer, steps: steps)
        rebalanceThreads()
        host.start()
    }

    /// Several trainers share the 2 cores: with more than one live, each runs its BLAS on one thread.
    func rebalanceThreads() {
        let live = hosts.values.filter { $0.host.status.isLive }.count + probes.count
        Blas.threads = live > 1 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    static func forkConfig(of run: String, runs: URL) throws -> RunConfig {
        let dir = runs.appendingPathComponent(run)
        guard let loaded = Checkpoint.latest(in: dir), let json = loaded.metadata[Checkpoint.Key.config] else {
            throw ForkError.noCheckpoint(run: run, dir: dir.path)
        }
        return try RunConfig.decode(json: json, source: "checkpoint of \(run)")
    }

    /// Copies the parent's newest valid checkpoint into the child's folder; returns its step.
    static func copyLatestCheckpoint(from parentDir: URL?, to dir: URL) throws -> Int {
        guard let parentDir, let loaded = Checkpoint.latest(in: parentDir) else {
            throw ForkError.noCheckpoint(run: parentDir?.lastPathComponent ?? "?", dir: parentDir?.path ?? "?")
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

    /// probe-v1 on the run's newest checkpoint, on a background thread; the result lands in the store (the
    /// run list and the compare view show it on the next refresh) and as a message.
    func probe(_ run: String, limit: Int? = nil) {
        let runs = runsDirectory.path, bridge = self.bridge, probes = self.probes
        let protocolName = ProbeV1.protocolName(limit: limit)
        let scope = limit.map { "the first \($0) train and test images" } ?? "about a minute"
        outbox.append(.message("\(protocolName) on \(run)'s latest checkpoint started (\(scope))"))
        probes.begin(run)
        rebalanceThreads()
        let t = Thread {
            let message: String
            do {
                let target = try ProbeTarget.resolve(run, runsDirectory: runs)
                let network = try target.network()
                let splits = try ProbeRun.splits(data: target.config.data, limitTrain: limit, limitTest: limit)
                let o = try ProbeRun.encoder(network, splits: splits, seed: 0, name: run)
                let step = target.step
                bridge.submit(.work { db in
                    defer { probes.end(run) }   // after the row is written, so a finished queue has every result
                    let id = try db.runId(named: run)
                    try db.addProbe(ProbeRecord(runId: id, step: step, linear: o.result.linear, knn: o.result.knn,
                                                protocolName: protocolName, wallTime: Date().timeIntervalSince1970))
                    try db.addEvent(runId: id, step: step, .probe(ProbeRun.eventDetail(o, checkpoint: nil)))
                    return []
                })
                message = o.line
            } catch {
                probes.end(run)
                message = "probe \(run): \(error)"
            }
            bridge.post([.message(message)])
        }
        t.name = "siamon-probe"
        t.start()
    }
}

enum ForkError: Error, CustomStringConvertible {
    case noCheckpoint(run: String, dir: String)
    var description: String {
        switch self {
        case .noCheckpoint(let run, let dir):
            "cannot fork \(run): no valid checkpoint in \(dir); press k on the run to save one first"
        }
    }
}

/// The presets the new-run dialog offers, read from runs/presets.
enum PresetCatalog {
    static func choices() -> [PresetChoice] {
        let dir = Presets.defaultDirectory()
        return Presets.available(in: dir).compactMap { name in
            guard let c = try? Presets.load(nameOrPath: name, presetsDir: dir) else { return nil }
            let summary = "\(c.data.source) \(c.data.imageSize)px, D=\(c.model.dim) depth \(c.model.depth), batch \(c.train.batchSize)"
            return PresetChoice(name: name, summary: summary, fields: [
                PresetField(key: "optimizer.lr", label: "lr", value: String(c.optimizer.lr)),
                PresetField(key: "schedule.epochs", label: "epochs", value: String(c.schedule.epochs)),
                PresetField(key: "train.steps", label: "steps", value: c.train.steps.map(String.init) ?? ""),
                PresetField(key: "train.batch_size", label: "batch", value: String(c.train.batchSize)),
            ])
        }
    }
}
