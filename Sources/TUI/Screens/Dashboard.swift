// The dashboard: run list, loss chart (or its two terms), LR and EMA-momentum charts with their planned
// schedules, the throughput panel and the mask panel. The charts share the zoom window and the cursor.

public enum Dashboard {
    public static func render(_ s: AppState, _ l: DashboardLayout, into buf: inout ScreenBuffer) {
        let title = s.overlay == .filter ? "runs /\(s.filter)█" : s.filter.isEmpty ? "runs" : "runs /\(s.filter)"
        RunListWidget.render(s.visibleRuns, in: l.runs, into: &buf, selected: s.selectedRunId, focused: s.focus == .runs,
                             title: title, emptyText: s.runs.isEmpty ? "no runs yet" : "no run matches")
        let run = s.selectedRun
        let d = run.flatMap { s.data[$0.id] } ?? RunData()
        if !l.loss.isEmpty {
            if s.runs.isEmpty { emptyOffer(in: l.loss, into: &buf) } else {
                for (chart, rect) in lossCharts(s, d, in: l.loss) { chart.render(in: rect, into: &buf) }
            }
        }
        lrChart(s, d).render(in: l.lr, into: &buf)
        emaChart(s, d).render(in: l.ema, into: &buf)
        if let t = l.throughput { ThroughputPanel.render(run, d, in: t, into: &buf) }
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

    /// The loss pane: the loss alone, or (t) pos and neg side by side, each on its own scale, so no series
    /// squashes another.
    static func lossCharts(_ s: AppState, _ d: RunData, in r: Rect) -> [(LineChart, Rect)] {
        guard s.chart.lossTerms else { return [(lossChart(s, d, key: "loss"), r)] }
        let cols = r.columns(2)
        return [(lossChart(s, d, key: "loss_pos"), cols[0]), (lossChart(s, d, key: "loss_neg"), cols[1])]
    }

    /// One loss series; with smoothing, the raw data is drawn dim behind the smoothed line.
    static func lossChart(_ s: AppState, _ d: RunData, key: String) -> LineChart {
        let (role, name, glyph) = lossRoles[key] ?? (.loss, key, nil)
        var lines: [ChartLine] = []
        let mono = s.monochrome ? glyph : nil
        let series = d.series[key].flatMap { !$0.isEmpty && $0.xMode == s.chart.xMode ? $0 : nil }
        if let series {
            if s.chart.smoothing {
                lines.append(ChartLine(label: name, role: .rawLine, data: series.data, glyph: mono))
                lines.append(ChartLine(label: name, role: role, data: .points(Smoothing.smoothed(series.data, weight: s.chart.smoothingWeight)), glyph: mono))
            } else {
                lines.append(ChartLine(label: name, role: role, data: series.data, glyph: mono))
            }
        }
        var title = key == "loss" ? "loss" : "loss \(name)"
        if s.chart.smoothing { title += " · EMA \(s.chart.smoothingWeight)" }
        if s.chart.logY { title += " · log" }
        var c = LineChart(title: title, lines: lines)
        c.xMode = s.chart.xMode; c.logY = s.chart.logY; c.focused = s.focus == .loss
        c.legend = [((mono.map { String(Character($0)) } ?? "▬") + name, role)]
        ChartInspection.apply(&c, s, data: series?.data, stepAxis: false)
        c.readout = ChartInspection.readout(s, d, keys: [(key, name)], withTime: true)
        return c
    }

    static func lrChart(_ s: AppState, _ d: RunData) -> LineChart {
        var c = scheduleChart("lr", s, d.series["lr"], d.plannedLR, Double(s.selectedRun?.totalSteps ?? 0), actual: .lrActual,
                              planned: .lrPlanned, marks: d.events, focused: s.focus == .lr)
        c.readout = ChartInspection.readout(s, d, keys: [("lr", "lr")], withTime: false)
        return c
    }

    static func emaChart(_ s: AppState, _ d: RunData) -> LineChart {
        var c = scheduleChart("EMA momentum", s, d.series["momentum"], d.plannedEMA, Double(s.selectedRun?.totalSteps ?? 0),
                              actual: .emaActual, planned: .emaPlanned, marks: [], focused: s.focus == .ema)
        c.readout = ChartInspection.readout(s, d, keys: [("momentum", "m")], withTime: false)
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
        ChartInspection.apply(&c, s, data: actual?.data, stepAxis: true)
        return c
    }
}
