// What zoom, log x and the cursor do to a chart, in one place for the dashboard and the compare view, and the
// inverse: the chart and step under a mouse position.

import Foundation

enum ChartInspection {
    /// Applies the shared window, log x and cursor. `stepAxis` charts (LR, EMA) are on steps whatever the x mode.
    static func apply(_ c: inout LineChart, _ s: AppState, data: SeriesData?, stepAxis: Bool) {
        let steps = stepAxis || s.chart.xMode == .step
        if steps {
            c.xMode = .step
            c.logX = s.chart.logX
            if let r = s.chart.window.range(last: lastStep(s)) {
                c.window = (Double(r.lowerBound), Double(r.upperBound)); c.xDomain = nil
            }
        }
        if let cursor = s.chart.cursor { c.cursorX = steps ? Double(cursor) : data?.x(atStep: cursor) }
    }

    /// "step 1234 · 12:00:03 · loss 0.8123456789": the stored values nearest the cursor, every digit kept.
    static func readout(_ s: AppState, _ d: RunData, keys: [(key: String, label: String)], withTime: Bool) -> String {
        guard let cursor = s.chart.cursor else { return "" }
        guard let r = d.readout, r.step == cursor else { return "step \(cursor) · reading…" }
        let found = keys.compactMap { k in r.values[k.key].map { (k.label, $0) } }
        guard let first = found.first?.1 else { return "step \(cursor) · not logged" }
        var parts = ["step \(first.step)"]
        if withTime, let w = first.wallTime { parts.append(clock(w)) }
        parts += found.map { "\($0.0) \($0.1.text)" }
        return parts.joined(separator: " · ")
    }

    /// Wall time of day in UTC with seconds (the axis labels are UTC too).
    static func clock(_ t: Double) -> String {
        guard t.isFinite, abs(t) < 1e12 else { return "?" }
        let s = Int(t.rounded(.down)) % 86400
        return String(format: "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }

    /// The chart under a screen position and the step there (nil when the chart has no data to map it).
    struct Hit { let chart: LineChart; let step: Int? }

    static func charts(_ s: AppState) -> [(LineChart, Rect, SeriesData?)] {
        if s.screen == .compare {
            guard let l = CompareLayout.make(for: s) else { return [] }
            let c = CompareScreen.overlayChart(s, CompareScreen.chosen(s))
            return [(c, l.chart, CompareScreen.chosen(s).lazy.compactMap { s.data[$0.id]?.series["loss"]?.data }.first)]
        }
        guard let l = DashboardLayout.make(width: s.width, height: s.height, focus: s.focus) else { return [] }
        let d = s.selectedRun.flatMap { s.data[$0.id] } ?? RunData()
        var out: [(LineChart, Rect, SeriesData?)] = []
        let lossData = d.series[s.chart.lossTerms ? "loss_pos" : "loss"]?.data
        if !l.loss.isEmpty { out += Dashboard.lossCharts(s, d, in: l.loss).map { ($0.0, $0.1, lossData) } }
        out.append((Dashboard.lrChart(s, d), l.lr, d.series["lr"]?.data))
        out.append((Dashboard.emaChart(s, d), l.ema, d.series["momentum"]?.data))
        return out
    }
}

func chartHit(_ s: AppState, _ x: Int, _ y: Int) -> ChartInspection.Hit? {
    for (chart, rect, data) in ChartInspection.charts(s) where ChartGeometry.plot(in: rect).contains(x: x, y: y) {
        guard let v = chart.xValue(atScreenX: x, in: rect) else { return ChartInspection.Hit(chart: chart, step: nil) }
        let step = chart.xMode == .step ? Int(v.rounded()) : data?.step(atX: v)
        return ChartInspection.Hit(chart: chart, step: step)
    }
    return nil
}
