import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Synchronization
import Tensor

/// The real driver behind the TUI: reads the store on a background thread (StoreBridge) and starts and
/// steers in-process trainers (TrainerHost). Every method returns at once; nothing here waits on the disk
/// or a trainer, except `.quit(stopRunning: true)`, which checkpoints and stops live runs on purpose.
public final class LiveDriver {
    public let runsDirectory: URL
    public let databasePath: String
    /// `watch` mode: a viewer of runs written elsewhere; it starts and steers nothing.
    public let readOnly: Bool
    let bridge: StoreBridge
    var hosts: [String: LiveRun] = [:]
    var selected: String?
    var outbox: [AppEvent] = []
    var presetsSent = false
    var lastSnapshotPoll = 0.0
    var writersFinished: Set<String> = []
    // The run queue (LiveDriver+Queue.swift): waiting, handed to `start` but not adopted yet, started from the
    // queue and not yet reported as ended, and the probes running at the end of queued runs.
    var queued: [QueuedRun] = []
    var queuePolicy = QueuePolicy()
    var pendingStarts: Set<String> = []
    var watched: Set<String> = []
    let probes = ProbeTracker()
    /// Failed runs whose writer is being finished on a helper thread (LiveDriver+Failed).
    let retiring = DispatchGroup()

    struct LiveRun {
        let host: TrainerHost
        let writer: StoreWriter
        let steps: StepsFileSink   // runs/<name>/steps.jsonl; flushed and closed when the run ends
    }

    public init(runsDirectory: URL, databasePath: String, readOnly: Bool = false) {
        self.runsDirectory = runsDirectory
        self.databasePath = databasePath
        self.readOnly = readOnly
        bridge = StoreBridge(databasePath: databasePath)
    }

    public func poll(now: Double) -> [AppEvent] {
        for a in bridge.adopted.withLock({ a in defer { a.removeAll() }; return a }) {
            adopt(name: a.name, host: a.host, writer: a.writer, steps: a.steps)
        }
        bridge.liveStatus.withLock { s in for (name, run) in hosts { s[name] = run.host.status } }
        // Failed runs first: they leave `hosts` and are finished off this thread (a trapped trainer may hold a sink).
        retireFailed()
        for (name, run) in hosts where !run.host.status.isLive && !writersFinished.contains(name) {
            // Flush and close the run's files as soon as it ends, so its end time is when training ended (a
            // later finish at quit would move endedAt); finish waits on the writer thread, so not on this one.
            writersFinished.insert(name)
            run.steps.close()
            let writer = run.writer, phase = run.host.status.phase
            if phase == .done || phase == .stopped {
                let t = Thread { try? writer.finish(status: phase == .done ? .done : .stopped) }
                t.name = "siamon-writer-finish"
                t.start()
            }
        }
        pumpQueue()
        // The preset files are read on the bridge thread, like every other file the UI shows.
        if !presetsSent { presetsSent = true; bridge.submit(.work { _ in [.presets(PresetCatalog.choices())] }) }
        if let s = selected, now - lastSnapshotPoll > 1 { lastSnapshotPoll = now; bridge.submit(.snapshots(run: s)) }
        defer { outbox.removeAll() }
        return withQueuedRows(outbox + bridge.drain())
    }

    public func perform(_ effect: Effect) {
        switch effect {
        case .requestSeries(let run, let key, let columns, let xMode, let steps):
            bridge.submit(.series(run: run, key: key, columns: columns, xMode: xMode, steps: steps))
        case .requestReadout(let runs, let step): bridge.submit(.readout(runs: runs, step: step))
        case .selectRuns(let ids):
            selected = ids.first
            if let s = selected { bridge.submit(.snapshots(run: s)) }
        case .startRun(let preset, let name, let overrides):
            start(preset: preset, name: name, overrides: overrides, forkOf: nil)
        case .fork(let run, let name, let overrides):
            start(preset: run, name: name, overrides: overrides, forkOf: run)
        case .pause(let run): send(.pause, to: run)
        case .resume(let run): send(.resume, to: run)
        case .stop(let run): if !dequeue(run) { send(.stop, to: run) }
        case .checkpoint(let run): send(.checkpoint, to: run)
        case .scaleLR(let run, let f): send(.scaleLearningRate(f), to: run)
        case .probe(let run): probe(run)
        case .quit(let stopRunning): quit(stopRunning: stopRunning)
        case .redraw: break
        }
    }

    /// Every command goes through the store's command channel, whoever owns the run (this siamon, a headless
    /// siamon, a PyTorch job): one path, and each answer comes back as a message.
    func send(_ command: RunCommand, to run: String) {
        guard !readOnly else { outbox.append(.message("watch mode: siamon watch only watches (by design); steer runs from `siamon` or `siamon ctl`")); return }
        let label = Self.label(command, run: run), bridge = self.bridge
        bridge.submit(.work { db in
            let id = try db.issue(command, run: run)
            bridge.watchedCommands.withLock { $0[id] = label }
            let owner = try db.run(named: run)
            return [.message("\(label): sent (command \(id)) to \(Self.ownerText(owner))")]
        })
    }

    static func label(_ command: RunCommand, run: String) -> String {
        if case .scaleLearningRate(let f) = command { return String(format: "lr-scale ×%g %@", f, run) }
        return "\(command.kind.rawValue) \(run)"
    }

    /// Who owns a run, as the user thinks of it: this siamon, another process here, another host, PyTorch.
    static func ownerText(_ r: RunSummary) -> String {
        let pid = r.writerPid.map(String.init) ?? "?"
        if r.source == .pytorch { return "pytorch pid \(pid) on \(r.writerHost ?? "?")" }
        if r.writerHost != storeHostName { return "pid \(pid) on \(r.writerHost ?? "?")" }
        return r.writerPid == getpid() ? "this siamon" : "pid \(pid) on this host"
    }

    /// Checkpoints and stops every live run (each host saves before it ends), then closes their writers.
    func quit(stopRunning: Bool) {
        bridge.stop()
        queued.removeAll()
        guard stopRunning else { return }
        retireFailed()
        let live = hosts.values.filter { $0.host.status.isLive }
        for run in live { run.host.send(.stop) }
        for run in hosts.values {
            run.host.join()
            run.steps.close()
            let phase = run.host.status.phase
            try? run.writer.finish(status: phase == .done ? .done : phase == .failed ? .failed : .stopped)
        }
        hosts.removeAll()
        _ = retiring.wait(timeout: .now() + 5)
    }
}
