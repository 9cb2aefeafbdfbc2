// The compare view: choose runs (Space), overlay their loss in stable per-run colours, and a table of only the
// hyper-parameters that differ, next to their probe-v1 results. When a chosen run has an ablation switch away
// from the official setting, the table is the paper's Table 3 instead (Table3.swift), across the full width.

import Foundation

public enum CompareScreen {
    /// FNV-1a (32-bit) of the run name picks its colour, so a run keeps its colour across sessions (LEET).
    public static func fnv1a(_ s: String) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 { h ^= UInt32(b); h = h &* 0x0100_0193 }
        return h
    }
    public static func colorIndex(_ name: String) -> Int { Int(fnv1a(name) % UInt32(ThemeRole.seriesPalette.count)) }
    static let monoGlyphs: [Unicode.Scalar?] = [nil, "•", "×", "+", "o", "*", "#", "%"]

    public static func render(_ s: AppState, _ l: CompareLayout, into buf: inout ScreenBuffer) {
        let rows = s.visibleRuns
        let cursorId = rows.indices.contains(s.compareCursor) ? rows[s.compareCursor].id : nil
        RunListWidget.render(rows, in: l.runs, into: &buf, selected: cursorId, focused: true, title: "choose runs (Space)",
                             checked: Set(s.compareIds))
        let chosen = Self.chosen(s)
        overlay(s, chosen, in: l.chart, into: &buf)
        if Table3.applies(chosen) { Table3.render(chosen, in: l.table, into: &buf) } else {
            table(chosen, in: l.table, into: &buf, cursor: s.chart.cursor) { run in cursorText(s, run) }
        }
    }

    /// The chosen runs, in choice order.
    static func chosen(_ s: AppState) -> [RunRow] { s.compareIds.compactMap { id in s.runs.first { $0.id == id } } }

    /// Table 3 replaces the differing-parameters table when a chosen run has an ablation switch off its default.
    public static func showsTable3(_ s: AppState) -> Bool { Table3.applies(chosen(s)) }

    static func overlay(_ s: AppState, _ runs: [RunRow], in r: Rect, into buf: inout ScreenBuffer) {
        overlayChart(s, runs).render(in: r, into: &buf)
    }

    /// Every chosen run's loss in its own colour, on one x window and one cursor. With the shared-y toggle the
    /// y range is the union of each run's own robust range, so a run far from the others is never pushed off.
    static func overlayChart(_ s: AppState, _ runs: [RunRow]) -> LineChart {
        var lines: [ChartLine] = [], legend: [(String, ThemeRole)] = []
        for (i, run) in runs.enumerated() {
            let role = ThemeRole.seriesPalette[colorIndex(run.name)]
            let glyph = s.monochrome ? monoGlyphs[i % monoGlyphs.count] : nil
            legend.append(((glyph.map { String(Character($0)) } ?? "▬") + RunNameFit.fit(run.name, width: 14), role))
            guard let series = s.data[run.id]?.series["loss"], !series.isEmpty, series.xMode == s.chart.xMode else { continue }
            let data: SeriesData = s.chart.smoothing ? .points(Smoothing.smoothed(series.data, weight: s.chart.smoothingWeight)) : series.data
            lines.append(ChartLine(label: run.name, role: role, data: data, glyph: glyph))
        }
        var c = LineChart(title: "loss" + (s.chart.smoothing ? " · EMA \(s.chart.smoothingWeight)" : "") + (s.chart.logY ? " · log" : ""), lines: lines)
        c.xMode = s.chart.xMode; c.logY = s.chart.logY; c.legend = legend
        c.emptyText = runs.isEmpty ? "choose runs with Space" : "waiting for data…"
        ChartInspection.apply(&c, s, data: runs.lazy.compactMap { s.data[$0.id]?.series["loss"]?.data }.first, stepAxis: false)
        if s.chart.sharedY { c.yRange = sharedRange(lines, logY: s.chart.logY) }
        if let cursor = s.chart.cursor { c.readout = "step \(cursor) · values in the table" }
        return c
    }

    /// The union of each line's own robust y range (raw values; non-positive ones left out on a log axis).
    static func sharedRange(_ lines: [ChartLine], logY: Bool) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for l in lines {
            var ys: [Double] = []
            switch l.data {
            case .points(let p): ys = p.map(\.y)
            case .buckets(let b): ys = b.flatMap { [$0.min, $0.max] }
            }
            ys = ys.filter { $0.isFinite && (!logY || $0 > 0) }
            guard let r = AxisScale.robustRange(ys) else { continue }
            lo = min(lo, r.lo); hi = max(hi, r.hi)
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// A run's stored loss nearest the cursor, every digit, with the step it was logged at.
    static func cursorText(_ s: AppState, _ run: RunRow) -> String {
        guard let c = s.chart.cursor else { return "" }
        guard let r = s.data[run.id]?.readout, r.step == c else { return "…" }
        guard let v = r.values["loss"] else { return "not logged" }
        return "\(v.text) @\(v.step)"
    }

    /// Keys whose values are not all equal across `runs` (a missing key counts as a value), sorted.
    public static func differingKeys(_ runs: [RunRow]) -> [String] {
        let keys = Set(runs.flatMap { $0.config.keys })
        return keys.filter { k in Set(runs.map { $0.config[k] ?? "–" }).count > 1 }.sorted()
    }

    static func table(_ runs: [RunRow], in area: Rect, into buf: inout ScreenBuffer, cursor: Int? = nil,
                      cursorValue: (RunRow) -> String = { _ in "" }) {
        let inner = Block.render(in: area, into: &buf, title: "hyper-parameters that differ · probe-v1")
        guard inner.width > 20, inner.height > 1 else { return }
        guard !runs.isEmpty else {
            buf.put("choose runs with Space", x: inner.x + 1, y: inner.y, maxWidth: inner.width - 1, Style(.inactiveFg)); return
        }
        let keys = differingKeys(runs)
        let keyWidth = min(26, max(14, (keys.map(\.count).max() ?? 0) + 2))
        let colWidth = max(6, (inner.width - keyWidth) / runs.count)
        var y = inner.y
        func row(_ label: String, _ values: [String], _ role: ThemeRole, _ valueRole: (Int) -> ThemeRole) {
            guard y < inner.maxY else { return }
            buf.put(label, x: inner.x + 1, y: y, maxWidth: keyWidth - 1, Style(role))
            for (i, v) in values.enumerated() {
                let x = inner.x + keyWidth + i * colWidth
                guard x < inner.maxX else { break }
                buf.put(v, x: x, y: y, maxWidth: min(colWidth - 1, inner.maxX - x), Style(valueRole(i)))
            }
            y += 1
        }
        let roles = runs.map { ThemeRole.seriesPalette[colorIndex($0.name)] }
        row("run", runs.map(\.name), .title) { roles[$0] }
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        row("probe linear", runs.map { pct($0.probeLinear) }, .mainFg) { _ in .hiFg }
        row("probe k-NN", runs.map { pct($0.probeKnn) }, .mainFg) { _ in .hiFg }
        row("steps", runs.map { "\($0.step)/\($0.totalSteps)" }, .inactiveFg) { _ in .mainFg }
        if cursor != nil {      // the step is on the chart's bottom border; each value names its logged step
            row("at cursor", runs.map { cursorValue($0) }, .hiFg) { _ in .hiFg }
        }
        // Notes span the whole row: the key column is too narrow for a sentence.
        func note(_ text: String) {
            guard y < inner.maxY else { return }
            buf.put(text, x: inner.x + 1, y: y, maxWidth: inner.width - 1, Style(.inactiveFg)); y += 1
        }
        if runs.count < 2 { note("choose another run to see what differs") } else if keys.isEmpty { note("all hyper-parameters are equal") }
        for k in keys { row(k, runs.map { $0.config[k] ?? "–" }, .axis) { _ in .mainFg } }
    }
}
