// What each bound command does. Called only after Bindings.disabledReason said the command is enabled.

func execute(_ s: inout AppState, _ cmd: Command) -> [Effect] {
    switch cmd {
    case .pause, .resume, .stop, .lrUp, .lrDown, .checkpoint, .fork, .probe, .startDefault, .newRun:
        return steer(&s, cmd)
    case .zoomIn, .zoomOut, .panLeft, .panRight, .followTail, .zoomReset, .cursor, .cursorLeft, .cursorRight, .logX,
         .sharedY, .lossTerms:
        return inspect(&s, cmd)
    case .confirmYes, .confirmNo, .formSubmit, .formCancel, .formNext, .formPrev, .filterApply, .filterCancel,
         .helpClose, .helpUp, .helpDown:
        return dialog(&s, cmd)
    default:
        return view(&s, cmd)
    }
}

/// Commands that act on a run (the selected one, or the compare cursor's).
func steer(_ s: inout AppState, _ cmd: Command) -> [Effect] {
    let run = s.screen == .compare ? s.compareCursorRun : s.selectedRun
    switch cmd {
    case .newRun: s.overlay = .form(RunForm.new(presets: s.presets, runs: s.runs))
    case .pause: say(&s, "pause sent to \(run!.name)"); return [.pause(run!.id)]
    case .resume: say(&s, "resume sent to \(run!.name)"); return [.resume(run!.id)]
    case .stop:
        s.overlay = .confirm(ConfirmDialog(action: .stop(run!.id), question: "Stop \(run!.name)? It checkpoints and cannot be resumed."))
    case .lrUp, .lrDown:
        let f = cmd == .lrUp ? LRScale.up : LRScale.down
        say(&s, "LR scale ×\(f) sent to \(run!.name)")
        return [.scaleLR(run!.id, factor: f)]
    case .checkpoint: say(&s, "checkpoint requested for \(run!.name)"); return [.checkpoint(run!.id)]
    case .fork: s.overlay = .form(RunForm.fork(run!, presets: s.presets, runs: s.runs))
    case .probe: say(&s, "probe-v1 started for \(run!.name)"); return [.probe(run!.id)]
    case .startDefault:
        let preset = s.presets.contains { $0.name == AppState.defaultPreset } || s.presets.isEmpty
            ? AppState.defaultPreset : s.presets[0].name
        say(&s, "starting \(preset)…")
        return [.startRun(preset: preset, name: uniqueName(preset, s.runs), overrides: [:])]
    default: break
    }
    return []
}

/// Commands inside the modal overlays.
func dialog(_ s: inout AppState, _ cmd: Command) -> [Effect] {
    switch cmd {
    case .confirmYes:
        guard case .confirm(let d) = s.overlay else { return [] }
        s.overlay = nil
        switch d.action {
        case .quit: return [.quit(stopRunning: true)]
        case .stop(let id): say(&s, "stop sent"); return [.stop(id)]
        }
    case .confirmNo, .formCancel, .filterApply, .helpClose: s.overlay = nil
    case .filterCancel: s.filter = ""; s.overlay = nil
    case .formSubmit: return submitForm(&s)
    case .formNext, .formPrev:
        guard case .form(var f) = s.overlay else { return [] }
        let rows = f.fields.count + (f.mode == .new ? 3 : 2)
        f.row = (f.row + (cmd == .formNext ? 1 : rows - 1)) % rows
        s.overlay = .form(f)
    case .helpUp, .helpDown:
        guard case .help(let scroll) = s.overlay else { return [] }
        s.overlay = .help(scroll: max(0, scroll + (cmd == .helpDown ? 1 : -1)))
    default: break
    }
    return []
}

/// Navigation, screens and chart options.
func view(_ s: inout AppState, _ cmd: Command) -> [Effect] {
    switch cmd {
    case .quit:
        // Only runs this siamon trains stop with it; background and other processes' runs go on.
        let live = s.runs.filter { $0.status.isLive && ($0.ownedHere || $0.status == .queued) }.count
        guard live > 0 else { return [.quit(stopRunning: false)] }
        s.overlay = .confirm(ConfirmDialog(action: .quit,
            question: "\(live) run\(live == 1 ? " is" : "s are") training in this siamon. Checkpoint and stop \(live == 1 ? "it" : "them"), then quit? "
                + "(Runs started with run: background keep training after quit, and any siamon can steer them.)"))
    case .help: s.overlay = .help(scroll: 0)
    case .filter: s.overlay = .filter
    case .nextPane, .prevPane:
        let panes = Pane.allCases
        s.focus = panes[(s.focus.rawValue + (cmd == .nextPane ? 1 : panes.count - 1)) % panes.count]
        return seriesRequests(s)
    case .compare:
        s.screen = .compare
        if s.compareIds.isEmpty, let id = s.selectedRunId { s.compareIds = [id] }
        s.compareCursor = s.visibleRuns.firstIndex { $0.id == s.selectedRunId } ?? 0
        return [.selectRuns(s.compareIds)] + seriesRequests(s) + readoutRequest(s)
    case .back:
        s.screen = .dashboard
        return (s.selectedRunId.map { [Effect.selectRuns([$0])] } ?? []) + seriesRequests(s) + readoutRequest(s)
    case .toggleCompare:
        guard let r = s.compareCursorRun else { return [] }
        if let i = s.compareIds.firstIndex(of: r.id) { s.compareIds.remove(at: i) } else { s.compareIds.append(r.id) }
        return [.selectRuns(s.compareIds)] + seriesRequests(s) + readoutRequest(s)
    case .smoothing:
        s.chart.smoothing.toggle()
        say(&s, s.chart.smoothing ? "smoothing on (debiased EMA, weight \(s.chart.smoothingWeight))" : "smoothing off")
    case .logY: s.chart.logY.toggle(); say(&s, s.chart.logY ? "log y" : "linear y")
    case .xAxis:
        s.chart.xMode = s.chart.xMode.next
        say(&s, "x axis: \(s.chart.xMode.label)")
        return seriesRequests(s)
    case .snapshotPrev, .snapshotNext:
        let count = s.selectedRunId.flatMap { s.data[$0]?.snapshots.count } ?? 0
        s.snapshotBack = max(0, min(count - 1, s.snapshotBack + (cmd == .snapshotPrev ? 1 : -1)))
    case .up, .down, .top, .bottom: return move(&s, cmd)
    case .toggleMouse: s.mouseEnabled.toggle(); say(&s, s.mouseEnabled ? "mouse on" : "mouse off (terminal selection works)")
    case .redraw: return [.redraw]
    default: break
    }
    return []
}

/// Moves the run-list cursor (dashboard selection, or the compare view's cursor).
func move(_ s: inout AppState, _ cmd: Command) -> [Effect] {
    let rows = s.visibleRuns
    guard !rows.isEmpty else { return [] }
    let current = s.screen == .compare ? s.compareCursor : (rows.firstIndex { $0.id == s.selectedRunId } ?? 0)
    let next: Int = switch cmd {
    case .up: max(0, current - 1)
    case .down: min(rows.count - 1, current + 1)
    case .top: 0
    default: rows.count - 1
    }
    if s.screen == .compare { s.compareCursor = next; return [] }
    return select(&s, rows[next].id)
}

/// "fmnist-tiny-3": the preset name plus the first free number.
func uniqueName(_ base: String, _ runs: [RunRow]) -> String {
    let names = Set(runs.map(\.name))
    var n = 1
    while names.contains("\(base)-\(n)") { n += 1 }
    return "\(base)-\(n)"
}
