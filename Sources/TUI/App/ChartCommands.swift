// Inspecting charts: zoom and pan on x, follow the tail, the cursor and its exact readout, log x, a shared
// y range across compared runs, and the loss pane's pos/neg view. Every chart shows the same steps and the
// same cursor, on the dashboard (loss, LR, EMA) and across compared runs.

/// The runs whose charts are on screen.
func shownRuns(_ s: AppState) -> [String] {
    s.screen == .compare ? s.compareIds : (s.selectedRunId.map { [$0] } ?? [])
}

/// The newest logged step among the shown runs: the tail the window follows.
func lastStep(_ s: AppState) -> Int {
    let ids = Set(shownRuns(s))
    return s.runs.filter { ids.contains($0.id) }.map(\.step).max() ?? 0
}

/// The chart columns of the main chart (loss, or the compare overlay): one cursor move is one column.
func mainChartColumns(_ s: AppState) -> Int {
    let r = s.screen == .compare ? CompareLayout.make(for: s)?.chart
        : DashboardLayout.make(width: s.width, height: s.height, focus: s.focus).map { $0.loss.isEmpty ? $0.lr : $0.loss }
    return max(1, r.map { ChartGeometry.plot(in: $0).width } ?? 1)
}

func inspect(_ s: inout AppState, _ cmd: Command) -> [Effect] {
    let last = lastStep(s)
    switch cmd {
    case .zoomIn, .zoomOut:
        s.chart.window.zoom(in: cmd == .zoomIn, anchor: s.chart.cursor, last: last)
        say(&s, windowText(s))
    case .panLeft, .panRight:
        s.chart.window.pan(right: cmd == .panRight, last: last)
        say(&s, windowText(s))
    case .followTail:
        s.chart.window.end = nil
        say(&s, windowText(s))
    case .zoomReset:
        s.chart.window = XWindow()
        say(&s, "x: the whole run")
    case .cursor:
        if s.chart.cursor == nil { s.chart.cursor = s.chart.window.visible(last: last).upperBound } else { s.chart.cursor = nil }
        say(&s, s.chart.cursor == nil ? "cursor off" : "cursor on: , and . move it, click a chart to place it")
        return readoutRequest(s)
    case .cursorLeft, .cursorRight:
        return moveCursor(&s, by: cmd == .cursorRight ? 1 : -1, last: last)
    case .logX:
        s.chart.logX.toggle()
        say(&s, s.chart.logX ? "log x" : "linear x")
        return []
    case .sharedY:
        s.chart.sharedY.toggle()
        say(&s, s.chart.sharedY ? "y: every compared run fits" : "y: robust range of all runs together")
        return []
    case .lossTerms:
        s.chart.lossTerms.toggle()
        say(&s, s.chart.lossTerms ? "loss pane: pos and neg, each on its own scale" : "loss pane: the loss")
    default: return []
    }
    return seriesRequests(s)
}

/// Moves the cursor one chart column's worth of steps; the window pans along when the cursor leaves it.
func moveCursor(_ s: inout AppState, by columns: Int, last: Int) -> [Effect] {
    let v = s.chart.window.visible(last: last)
    let perColumn = max(1, (v.count + mainChartColumns(s) - 1) / mainChartColumns(s))
    let c = min(max(0, (s.chart.cursor ?? v.upperBound) + columns * perColumn), max(0, last))
    s.chart.cursor = c
    var panned = false
    while s.chart.window.isZoomed, !s.chart.window.visible(last: last).contains(c) {
        let before = s.chart.window
        s.chart.window.pan(right: c > s.chart.window.visible(last: last).upperBound, last: last)
        panned = true
        if s.chart.window == before { break }
    }
    return readoutRequest(s) + (panned ? seriesRequests(s) : [])
}

/// Places the cursor at a step (a click on a chart).
func placeCursor(_ s: inout AppState, at step: Int) -> [Effect] {
    s.chart.cursor = min(max(0, step), max(0, lastStep(s)))
    return readoutRequest(s)
}

/// Wheel over a chart: zoom around the step under the pointer.
func wheelZoom(_ s: inout AppState, zoomIn: Bool, at step: Int?) -> [Effect] {
    s.chart.window.zoom(in: zoomIn, anchor: step, last: lastStep(s))
    say(&s, windowText(s))
    return seriesRequests(s)
}

func readoutRequest(_ s: AppState) -> [Effect] {
    guard let c = s.chart.cursor, !shownRuns(s).isEmpty else { return [] }
    return [.requestReadout(runIds: shownRuns(s), step: c)]
}

func windowText(_ s: AppState) -> String {
    let w = s.chart.window
    guard w.isZoomed else { return "x: the whole run" }
    let v = w.visible(last: lastStep(s))
    return "x: steps \(v.lowerBound)–\(v.upperBound)" + (w.follows ? ", following the tail" : " (F follows the tail)")
}
