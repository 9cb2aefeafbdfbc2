// One braille line chart for loss, LR, EMA momentum and the compare overlay (htop: series provide values,
// one chart draws them). Spikes survive: buckets draw their min–max as a vertical stroke, and points outside the
// robust y range are clamped to the edge with ▲/▼ markers.

import Foundation

public struct ChartLine: Sendable {
    public var label: String
    public var role: ThemeRole
    public var data: SeriesData
    public var glyph: Unicode.Scalar?      // marker instead of braille (monochrome terminals)
    public var inRange = true              // whether it takes part in the y range
    public init(label: String, role: ThemeRole, data: SeriesData, glyph: Unicode.Scalar? = nil, inRange: Bool = true) {
        self.label = label; self.role = role; self.data = data; self.glyph = glyph; self.inRange = inRange
    }
}

/// A vertical event line (LR scale, pause, checkpoint) at x.
public struct ChartMark: Sendable { public var x: Double; public var glyph: Unicode.Scalar }

public struct LineChart: Sendable {
    public var title: String
    public var lines: [ChartLine]                 // drawn in order; later lines occlude earlier ones
    public var xMode: XMode = .step
    public var logY = false
    public var robust = true
    public var focused = false
    public var xDomain: (Double, Double)?         // x range the data is widened to (e.g. the whole planned run)
    public var window: (Double, Double)?          // forced x range of a zoomed chart
    public var logX = false
    public var yRange: (Double, Double)?          // forced y range (shared across compared runs)
    public var cursorX: Double?                   // the inspected x, drawn as a vertical line
    public var readout = ""                       // the values at the cursor, on the bottom border
    public var marks: [ChartMark] = []
    public var legend: [(String, ThemeRole)] = []
    public var emptyText = "waiting for data…"

    public init(title: String, lines: [ChartLine]) { self.title = title; self.lines = lines }

    public func render(in area: Rect, into buf: inout ScreenBuffer) {
        Block.render(in: area, into: &buf, title: title, focused: focused, right: legend)
        let plot = ChartGeometry.plot(in: area)
        guard plot.width >= 4, plot.height >= 2 else { return }
        defer { drawReadout(in: area, into: &buf) }
        guard let sc = scale() else {
            let t = emptyText
            buf.put(t, x: plot.x + max(0, (plot.width - t.count) / 2), y: plot.y + plot.height / 2, maxWidth: plot.width, Style(.inactiveFg))
            return
        }
        var canvas = BrailleCanvas(cols: plot.width, rows: plot.height)
        var clipTop = [Bool](repeating: false, count: plot.width), clipBottom = clipTop
        for line in lines {
            sc.draw(line.data, on: &canvas, clipTop: &clipTop, clipBottom: &clipBottom)
            canvas.commit(Style(line.role), glyph: line.glyph)
        }
        for m in marks {
            let dot = sc.dotXValue(m.x, canvas.dotWidth)
            guard dot >= 0, dot <= Double(canvas.dotWidth - 1) else { continue }
            let col = ChartScale.toInt(dot) / 2
            for r in 0..<plot.height where !canvas.isSet(col: col, row: r) { buf.set(plot.x + col, plot.y + r, m.glyph, Style(.eventMark)) }
        }
        canvas.draw(into: &buf, x: plot.x, y: plot.y)
        for c in 0..<plot.width {
            if clipTop[c] { buf.set(plot.x + c, plot.y, "▲", Style(.clipMarker)) }
            if clipBottom[c] { buf.set(plot.x + c, plot.maxY - 1, "▼", Style(.clipMarker)) }
        }
        if let cx = cursorX {
            let dot = sc.dotXValue(cx, canvas.dotWidth)
            if dot >= 0, dot <= Double(canvas.dotWidth - 1) {
                let col = ChartScale.toInt(dot) / 2
                for r in 0..<plot.height where !canvas.isSet(col: col, row: r) { buf.set(plot.x + col, plot.y + r, "│", Style(.hiFg)) }
            }
        }
        drawAxes(sc, plot, &buf)
        if sc.hidden > 0 { Block.footer("\(sc.hidden) ≤0 hidden", in: area, into: &buf, role: .warnFg) }
    }

    /// The cursor's values on the bottom border, left-aligned, cut at the border's end.
    private func drawReadout(in area: Rect, into buf: inout ScreenBuffer) {
        guard !readout.isEmpty, area.width > 6 else { return }
        buf.put(" \(readout) ", x: area.x + 2, y: area.maxY - 1, maxWidth: area.width - 4, Style(.hiFg))
    }

    /// The chart's data → dot mapping, nil when there is nothing to draw.
    func scale() -> ChartScale? {
        ChartScale(lines: lines, logY: logY, logX: logX, robust: robust, xDomain: xDomain, window: window, yRange: yRange)
    }

    /// The x value under screen column `x` of a chart drawn in `area`, nil outside its plot or without data.
    public func xValue(atScreenX x: Int, in area: Rect) -> Double? {
        let plot = ChartGeometry.plot(in: area)
        guard x >= plot.x, x < plot.maxX, let sc = scale() else { return nil }
        return sc.xValue(dot: (x - plot.x) * 2, plot.width * 2)
    }

    private func drawAxes(_ sc: ChartScale, _ plot: Rect, _ buf: inout ScreenBuffer) {
        let axis = Style(.axis)
        for y in plot.y..<plot.maxY { buf.set(plot.x - 1, y, "│", axis) }
        buf.set(plot.x - 1, plot.maxY, "└", axis)
        var usedRows = Set<Int>()
        let maxY = max(2, plot.height / 3 + 1)
        let yTicks = logY ? AxisScale.logTicks(sc.y0, sc.y1, maxTicks: maxY) : AxisScale.niceTicks(sc.y0, sc.y1, maxTicks: maxY)
        let yLabels = AxisScale.tickLabels(yTicks.map { logY ? Foundation.pow(10, $0) : $0 })
        for (t, text) in zip(yTicks, yLabels) {
            let row = sc.dotY(t, plot.height * 4) / 4
            guard row >= 0, row < plot.height, usedRows.insert(row).inserted else { continue }
            let w = ChartGeometry.yLabelWidth - 1
            let s = String(text.suffix(w))
            buf.put(s, x: plot.x - 1 - s.count, y: plot.y + row, axis)
            buf.set(plot.x - 1, plot.y + row, "┤", axis)
        }
        var nextFree = plot.x
        let maxX = max(2, plot.width / 10)
        for t in logX ? AxisScale.logTicks(sc.x0, sc.x1, maxTicks: maxX) : AxisScale.niceTicks(sc.x0, sc.x1, maxTicks: maxX) {
            let raw = logX ? Foundation.pow(10, t) : t
            let col = sc.dotX(raw, plot.width * 2) / 2
            let text = xLabel(raw)
            let start = min(max(plot.x + col - text.count / 2, plot.x), plot.maxX - text.count)
            guard start >= nextFree else { continue }
            buf.put(text, x: start, y: plot.maxY, axis)
            nextFree = start + text.count + 1
        }
    }

    private func xLabel(_ v: Double) -> String {
        switch xMode {
        case .step: AxisScale.label(v)
        case .wallTime: AxisScale.timeLabel(v, wall: true)
        case .relativeTime: AxisScale.timeLabel(v, wall: false)
        }
    }
}
