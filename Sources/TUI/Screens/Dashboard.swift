// The dashboard: run list, loss chart, LR and EMA-momentum charts with their planned schedules, mask panel.

public enum Dashboard {
    public static func render(_ s: AppState, _ l: DashboardLayout, into buf: inout ScreenBuffer) {
        let title = s.overlay == .filter ? "runs /\(s.filter)█" : s.filter.isEmpty ? "runs" : "runs /\(s.filter)"
        RunListWidget.render(s.visibleRuns, in: l.runs, into: &buf, selected: s.selectedRunId, focused: s.focus == .runs,
                             title: title, emptyText: s.runs.isEmpty ? "no runs yet" : "no run matches")
        let run = s.selectedRun
        let d = run.flatMap { s.data[$0.id] } ?? RunData()
        if !l.loss.isEmpty {
            if s.runs.isEmpty { emptyOffer(in: l.loss, into: &buf) } else { lossChart(s, d).render(in: l.loss, into: &buf) }
        }
        let total = Double(run?.totalSteps ?? 0)
        scheduleChart("lr", s, d.series["lr"], d.plannedLR, total, actual: .lrActual, planned: .lrPlanned,
                      marks: d.events, focused: s.focus == .lr).render(in: l.lr, into: &buf)
        scheduleChart("EMA momentum", s, d.series["momentum"], d.plannedEMA, total, actual: .emaActual, planned: .emaPlanned,
                      marks: [], focused: s.focus == .ema).render(in: l.ema, into: &buf)
        if let m = l.mask {
            let count = d.snapshots.count
            let snap = run.flatMap { s.currentSnapshot($0.id) }
            MaskPanel.render(snap, index: max(0, count - 1 - s.snapshotBack), count: count, in: m, into: &buf,
                             focused: s.focus == .mask, monochrome: s.monochrome)
        }
    }

    /// With no runs at all, the loss chart's place offers to start the default preset.
    static func emptyOffer(in r: Rect, into buf: inout ScreenBuffer) {
        let inner = Block.render(in: r, into: &buf, title: "welcome")
        let text = "no runs yet — press Enter to start \(AppState.defaultPreset)"
        let sub = "(n picks another preset, ? shows every key)"
        let y = inner.y + inner.height / 2 - 1
        buf.put(text, x: inner.x + max(0, (inner.width - text.count) / 2), y: y, maxWidth: inner.width, Style(.hiFg, attrs: [.bold]))
        buf.put(sub, x: inner.x + max(0, (inner.width - sub.count) / 2), y: y + 2, maxWidth: inner.width, Style(.inactiveFg))
    }

    static let lossRoles: [String: (ThemeRole, String, Unicode.Scalar?)] = [
        "loss": (.loss, "loss", nil), "loss_pos": (.lossPos, "pos", "•"), "loss_neg": (.lossNeg, "neg", "×"),
    ]

    /// loss, loss_pos and loss_neg; with smoothing, the raw data is drawn dim behind the smoothed lines.
    static func lossChart(_ s: AppState, _ d: RunData) -> LineChart {
        var raw: [ChartLine] = [], front: [ChartLine] = [], legend: [(String, ThemeRole)] = []
        for key in LossKeys.all {
            guard let series = d.series[key], !series.isEmpty, series.xMode == s.chart.xMode, let (role, name, glyph) = lossRoles[key] else { continue }
            let mono = s.monochrome ? glyph : nil
            legend.append(((mono.map { String(Character($0)) } ?? "▬") + name, role))
            if s.chart.smoothing {
                raw.append(ChartLine(label: name, role: .rawLine, data: series.data, glyph: mono))
                front.append(ChartLine(label: name, role: role, data: .points(Smoothing.smoothed(series.data, weight: s.chart.smoothingWeight)), glyph: mono))
            } else {
                front.append(ChartLine(label: name, role: role, data: series.data, glyph: mono))
            }
        }
        var title = "loss"
        if s.chart.smoothing { title += " · EMA \(s.chart.smoothingWeight)" }
        if s.chart.logY { title += " · log" }
        var c = LineChart(title: title, lines: raw + front)
        c.xMode = s.chart.xMode; c.logY = s.chart.logY; c.focused = s.focus == .loss; c.legend = legend
        return c
    }

    /// Planned schedule dim across the whole run, actual values bright up to now; LR-scale events as ┊ lines.
    static func scheduleChart(_ name: String, _ s: AppState, _ actual: Series?, _ planned: PlannedSchedule?, _ total: Double,
                              actual role: ThemeRole, planned dim: ThemeRole, marks: [EventMark], focused: Bool) -> LineChart {
        var lines: [ChartLine] = []
        if let p = planned, !p.points.isEmpty { lines.append(ChartLine(label: "planned", role: dim, data: .points(p.points), glyph: s.monochrome ? "·" : nil)) }
        if let a = actual, !a.isEmpty { lines.append(ChartLine(label: "actual", role: role, data: a.data)) }
        var c = LineChart(title: name, lines: lines)
        c.robust = false
        c.focused = focused
        let end = max(total, planned?.points.last?.x ?? 0)
        if end > 0 { c.xDomain = (0, end) }
        c.marks = marks.filter { $0.kind == .lrScale }.map { ChartMark(x: Double($0.step), glyph: "┊") }
        c.legend = [(s.monochrome ? "·plan" : "▬plan", dim), ("▬now", role)]
        return c
    }
}
