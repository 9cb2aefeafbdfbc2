// The reducer: every change to AppState happens here, and everything the outside must do comes back as Effects.

public func update(_ s: inout AppState, _ event: AppEvent) -> [Effect] {
    switch event {
    case .key(let key): return handleKey(&s, key)
    case .resize(let w, let h):
        s.width = w; s.height = h
        return seriesRequests(s)
    case .tick(let now):
        s.now = now
        if s.message != nil, now - s.messageTime > 6 { s.message = nil }
        guard now - s.lastRequest >= AppState.refreshInterval, needsRefresh(s) else { return [] }
        s.lastRequest = now
        return seriesRequests(s)
    case .runs(let rows): return receiveRuns(&s, rows)
    case .series(let id, let key, let series):
        s.data[id, default: RunData()].series[key] = series
    case .snapshot(let id, let snap):
        var d = s.data[id, default: RunData()]
        if let last = d.snapshots.last, last.step == snap.step { d.snapshots[d.snapshots.count - 1] = snap }
        else {
            d.snapshots.append(snap)
            if d.snapshots.count > AppState.maxSnapshots { d.snapshots.removeFirst(d.snapshots.count - AppState.maxSnapshots) }
            // Keep showing the same past snapshot while the user is looking back.
            if s.snapshotBack > 0, id == s.selectedRunId { s.snapshotBack = min(s.snapshotBack + 1, d.snapshots.count - 1) }
        }
        s.data[id] = d
    case .events(let id, let marks): s.data[id, default: RunData()].events = marks
    case .planned(let id, let lr, let ema):
        s.data[id, default: RunData()].plannedLR = lr
        s.data[id, default: RunData()].plannedEMA = ema
    case .status(let id, let info): s.data[id, default: RunData()].status = info
    case .readout(let id, let r): if r.step == s.chart.cursor { s.data[id, default: RunData()].readout = r }
    case .usage(let id, let u): s.data[id, default: RunData()].usage = u
    case .presets(let p): s.presets = p
    case .message(let text): say(&s, text)
    }
    return []
}

/// The series keys of the loss pane: the loss alone, or its two terms (each on its own scale).
public enum LossKeys {
    public static let all = ["loss_pos", "loss_neg", "loss"]
    public static let terms = ["loss_pos", "loss_neg"]
    public static func shown(_ c: ChartOptions) -> [String] { c.lossTerms ? terms : ["loss"] }
}

func say(_ s: inout AppState, _ text: String) { s.message = text; s.messageTime = s.now }

/// New run rows: keep the selection if the run still exists, else select the first visible one.
func receiveRuns(_ s: inout AppState, _ rows: [RunRow]) -> [Effect] {
    let before = s.selectedRunId
    s.runs = rows
    let ids = Set(rows.map(\.id))
    s.compareIds.removeAll { !ids.contains($0) }
    s.compareCursor = min(s.compareCursor, max(0, s.visibleRuns.count - 1))
    if s.selectedRunId == nil || !ids.contains(s.selectedRunId!) { s.selectedRunId = s.visibleRuns.first?.id ?? rows.first?.id }
    guard s.selectedRunId != before, let id = s.selectedRunId else { return [] }
    s.snapshotBack = 0
    return [.selectRuns([id])] + seriesRequests(s)
}

/// Refresh only while something shown can still change, or its data has not arrived yet.
func needsRefresh(_ s: AppState) -> Bool {
    let shown = s.screen == .compare ? s.compareIds : (s.selectedRunId.map { [$0] } ?? [])
    return shown.contains { id in
        s.runs.first { $0.id == id }?.status.isLive == true || s.data[id]?.series["loss"] == nil
    }
}

/// The series the visible charts need, sized to their braille dot columns, of the zoomed steps only.
public func seriesRequests(_ s: AppState) -> [Effect] {
    let steps = s.chart.window.range(last: lastStep(s))
    if s.screen == .compare {
        guard let l = CompareLayout.make(for: s) else { return [] }
        let cols = ChartGeometry.dotColumns(in: l.chart)
        return s.compareIds.map { .requestSeries(runId: $0, key: "loss", columns: cols, xMode: s.chart.xMode, steps: steps) }
    }
    guard let id = s.selectedRunId, let l = DashboardLayout.make(width: s.width, height: s.height, focus: s.focus) else { return [] }
    var out: [Effect] = []
    if !l.loss.isEmpty {
        // Two terms share the pane side by side, so each gets half its columns.
        let cols = ChartGeometry.dotColumns(in: l.loss) / (s.chart.lossTerms ? 2 : 1)
        for key in LossKeys.shown(s.chart) {
            out.append(.requestSeries(runId: id, key: key, columns: cols, xMode: s.chart.xMode, steps: steps))
        }
    }
    // LR and momentum are always on the step axis, so the planned schedule (in steps) lines up.
    out.append(.requestSeries(runId: id, key: "lr", columns: ChartGeometry.dotColumns(in: l.lr), xMode: .step, steps: steps))
    out.append(.requestSeries(runId: id, key: "momentum", columns: ChartGeometry.dotColumns(in: l.ema), xMode: .step, steps: steps))
    // The throughput panel shows the recent past at one value per column, whatever the charts' zoom.
    if let t = l.throughput {
        for row in ThroughputPanel.rows { out.append(.requestSeries(runId: id, key: row.key, columns: max(1, t.width - 20), xMode: .step)) }
    }
    return out
}

func handleKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    switch key {
    case .click(let x, let y): return click(&s, x, y)
    case .wheelUp(let x, let y), .wheelDown(let x, let y):
        let down: Bool = if case .wheelDown = key { true } else { false }
        if case .help = s.overlay { return execute(&s, down ? .helpDown : .helpUp) }
        if s.overlay == nil, inRunList(s, x, y) { return execute(&s, down ? .down : .up) }
        if s.overlay == nil, let hit = chartHit(s, x, y) { return wheelZoom(&s, zoomIn: !down, at: hit.step) }
        return []
    default: break
    }
    if let binding = Bindings.lookup(key, in: s) {
        if let why = Bindings.disabledReason(binding.command, s) {
            say(&s, "\(binding.description): \(why)")
            return []
        }
        return execute(&s, binding.command)
    }
    // Keys no binding claims are text for the filter and the run form.
    switch s.overlay {
    case .filter: editText(&s.filter, key)
    case .form(var form):
        editForm(&form, key, presets: s.presets, runs: s.runs)
        s.overlay = .form(form)
    default: break
    }
    return []
}

func editText(_ text: inout String, _ key: Key) {
    switch key {
    case .char(let c): if text.count < 40 { text.append(c) }
    case .backspace, .delete: if !text.isEmpty { text.removeLast() }
    default: break
    }
}

func inRunList(_ s: AppState, _ x: Int, _ y: Int) -> Bool {
    if s.screen == .compare { return CompareLayout.make(for: s)?.runs.contains(x: x, y: y) ?? false }
    return DashboardLayout.make(width: s.width, height: s.height, focus: s.focus)?.runs.contains(x: x, y: y) ?? false
}

/// A click focuses the pane under it; on a run row it also selects that run.
func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
    guard s.overlay == nil else { return [] }
    var cursor: [Effect] = []
    if let hit = chartHit(s, x, y), let step = hit.step { cursor = placeCursor(&s, at: step) }
    if s.screen == .compare {
        guard let l = CompareLayout.make(for: s), l.runs.contains(x: x, y: y) else { return cursor }
        let row = y - l.runs.y - 1
        if s.visibleRuns.indices.contains(row) { s.compareCursor = row }
        return []
    }
    guard let l = DashboardLayout.make(width: s.width, height: s.height, focus: s.focus) else { return [] }
    for pane in Pane.allCases { if let r = l.rect(of: pane), r.contains(x: x, y: y) { s.focus = pane } }
    guard l.runs.contains(x: x, y: y) else { return cursor }
    let rows = s.visibleRuns, row = y - l.runs.y - 1 + RunListWidget.scrollOffset(rows: rows, selected: s.selectedRunId, height: l.runs.height - 2)
    guard rows.indices.contains(row) else { return [] }
    return select(&s, rows[row].id)
}

func select(_ s: inout AppState, _ id: String) -> [Effect] {
    guard id != s.selectedRunId else { return [] }
    s.selectedRunId = id
    s.snapshotBack = 0
    return [.selectRuns([id])] + seriesRequests(s) + readoutRequest(s)
}
