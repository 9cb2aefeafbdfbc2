import Foundation
import MetricsStore
import Runs
import RunCore
import SiamTrain
import Synchronization
import Tensor

/// The TUI's driver: the run engine (Runs) plus the store's read side. The store is read on a background
/// thread (StoreBridge); runs are started, queued, probed and stopped by the engine; commands go through the
/// store's channel to whoever owns the run. Every method returns at once, except `.quit(stopRunning: true)`,
/// which checkpoints and stops the runs trained here on purpose.
public final class LiveDriver {
    public let runsDirectory: URL
    public let databasePath: String
    /// `watch` mode: a viewer of runs written elsewhere; it starts and steers nothing.
    public let readOnly: Bool
    let bridge: StoreBridge
    public let engine: RunEngine
    var selected: String?
    var outbox: [AppEvent] = []
    var presetsRequested = false
    /// Read once, before the first frame (a few small files), so `n` works from the first key press.
    let presets: [PresetChoice]
    var lastSnapshotPoll = 0.0
    /// What quitting left for the user to hear (lost metrics, an interrupted probe): printed after the screen closes.
    public private(set) var quitProblems: [String] = []

    public init(runsDirectory: URL, databasePath: String, readOnly: Bool = false) {
        self.runsDirectory = runsDirectory
        self.databasePath = databasePath
        self.readOnly = readOnly
        bridge = StoreBridge(databasePath: databasePath)
        engine = RunEngine(runsDirectory: runsDirectory, databasePath: databasePath)
        presets = readOnly ? [] : PresetCatalog.choices()
    }

    public func poll(now: Double) -> [AppEvent] {
        engine.poll()
        let live = engine.liveStatus
        bridge.liveStatus.withLock { $0 = live }
        outbox += engine.notices.drain().map { .message($0) }
        if !presetsRequested { presetsRequested = true; outbox.append(.presets(presets)) }
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
            guard writable else { return }
            engine.start(preset: preset, name: name, overrides: overrides, forkOf: nil)
        case .startBackgroundRun(let preset, let name, let overrides):
            guard writable else { return }
            engine.startBackground(preset: preset, name: name, overrides: overrides)
        case .fork(let run, let name, let overrides):
            guard writable else { return }
            engine.start(preset: run, name: name, overrides: overrides, forkOf: run)
        case .pause(let run): send(.pause, to: run)
        case .resume(let run): send(.resume, to: run)
        case .stop(let run): if !engine.dequeue(run) { send(.stop, to: run) }
        case .checkpoint(let run): send(.checkpoint, to: run)
        case .scaleLR(let run, let f): send(.scaleLearningRate(f), to: run)
        case .probe(let run): if writable { engine.probe(run) }
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
            return [.message("\(label): sent (command \(id)); owner: \(Self.ownerText(owner))")]
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
        return r.writerPid == getpid() ? "here" : "pid \(pid)"
    }

    /// In watch mode nothing is started: says so.
    var writable: Bool {
        if readOnly { outbox.append(.message("watch mode: start runs from `siamon`")) }
        return !readOnly
    }

    /// Stops the store reader; with `stopRunning`, checkpoints and stops the runs trained here and waits for
    /// their probes (what could not be saved is kept in `quitProblems`).
    func quit(stopRunning: Bool) {
        bridge.stop()
        quitProblems = engine.shutdown(stopRunning: stopRunning)
    }

    // The queue, as the TUI and the sweep command see it.
    public static func queue(presets: [(preset: String, name: String)], overrides: [String]) throws -> [QueuedRun] {
        try RunEngine.queue(presets: presets, overrides: overrides)
    }
    public func enqueue(_ runs: [QueuedRun], policy: QueuePolicy) { if writable { engine.enqueue(runs, policy: policy) } }
    public var queueIdle: Bool { engine.queueIdle }

    /// The run list with the queued runs appended (status queued), so they show before they start.
    func withQueuedRows(_ events: [AppEvent]) -> [AppEvent] {
        let waiting = engine.waiting
        guard !waiting.isEmpty else { return events }
        return events.map { e in
            guard case .runs(var rows) = e else { return e }
            let present = Set(rows.map(\.id))
            for q in waiting where !present.contains(q.name) {
                let flat = Dictionary(q.config.flattened().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                rows.append(RunRow(id: q.name, name: q.name, status: .queued, totalSteps: RunPlan.totalSteps(q.config), config: flat))
            }
            return .runs(rows)
        }
    }

}
