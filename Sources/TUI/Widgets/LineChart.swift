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
    public var xDomain: (Double, Double)?         // forced x range (e.g. the whole planned run)
    public var marks: [ChartMark] = []
    public var legend: [(String, ThemeRole)] = []
    public var emptyText = "waiting for data…"

    public init(title: String, lines: [ChartLine]) { self.title = title; self.lines = lines }

    public func render(in area: Rect, into buf: inout ScreenBuffer) {
        Block.render(in: area, into: &buf, title: title, focused: focused, right: legend)
        let plot = ChartGeometry.plot(in: area)
        guard plot.width >= 4, plot.height >= 2 else { return }
        let scale = ChartScale(lines: lines, logY: logY, robust: robust, xDomain: xDomain)
        guard let sc = scale else {
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
        for m in marks where m.x >= sc.x0 && m.x <= sc.x1 {
            let col = sc.dotX(m.x, canvas.dotWidth) / 2
            for r in 0..<plot.height where !canvas.isSet(col: col, row: r) { buf.set(plot.x + col, plot.y + r, m.glyph, Style(.eventMark)) }
        }
        canvas.draw(into: &buf, x: plot.x, y: plot.y)
        for c in 0..<plot.width {
            if clipTop[c] { buf.set(plot.x + c, plot.y, "▲", Style(.clipMarker)) }
            if clipBottom[c] { buf.set(plot.x + c, plot.maxY - 1, "▼", Style(.clipMarker)) }
        }
        drawAxes(sc, plot, &buf)
        if sc.hidden > 0 { Block.footer("\(sc.hidden) ≤0 hidden", in: area, into: &buf, role: .warnFg) }
    }

    private func drawAxes(_ sc: ChartScale, _ plot: Rect, _ buf: inout ScreenBuffer) {
        let axis = Style(.axis)
        for y in plot.y..<plot.maxY { buf.set(plot.x - 1, y, "│", axis) }
        buf.set(plot.x - 1, plot.maxY, "└", axis)
        var usedRows = Set<Int>()
        for t in AxisScale.niceTicks(sc.y0, sc.y1, maxTicks: max(2, plot.height / 3 + 1)) {
            let row = sc.dotY(t, plot.height * 4) / 4
            guard row >= 0, row < plot.height, usedRows.insert(row).inserted else { continue }
            let text = AxisScale.label(logY ? Foundation.pow(10, t) : t)
            let w = ChartGeometry.yLabelWidth - 1
            let s = String(text.suffix(w))
            buf.put(s, x: plot.x - 1 - s.count, y: plot.y + row, axis)
            buf.set(plot.x - 1, plot.y + row, "┤", axis)
        }
        var nextFree = plot.x
        for t in AxisScale.niceTicks(sc.x0, sc.x1, maxTicks: max(2, plot.width / 10)) {
            let col = sc.dotX(t, plot.width * 2) / 2
            let text = xLabel(t)
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

/// Data → dot mapping of one chart: x range, robust (and optionally log) y range, and the hidden count.
struct ChartScale {
    let x0: Double, x1: Double, y0: Double, y1: Double
    let logY: Bool
    let hidden: Int

    init?(lines: [ChartLine], logY: Bool, robust: Bool, xDomain: (Double, Double)?) {
        var xs: (Double, Double) = (.infinity, -.infinity)
        var ys: [Double] = [], hidden = 0, rawLo = Double.infinity
        func addY(_ y: Double, _ use: Bool) {
            guard y.isFinite else { return }
            if logY && y <= 0 { hidden += 1; return }
            if use { ys.append(logY ? Foundation.log10(y) : y); rawLo = min(rawLo, y) }
        }
        for l in lines {
            switch l.data {
            case .points(let p):
                for q in p where q.x.isFinite { xs = (min(xs.0, q.x), max(xs.1, q.x)); addY(q.y, l.inRange) }
            case .buckets(let b):
                for q in b where q.xMin.isFinite && q.xMax.isFinite {
                    xs = (min(xs.0, q.xMin), max(xs.1, q.xMax)); addY(q.min, l.inRange); addY(q.max, l.inRange)
                }
            }
        }
        if let d = xDomain, d.0.isFinite, d.1.isFinite { xs = (min(d.0, xs.0), max(d.1, xs.1)) }
        guard (xs.1 - xs.0).isFinite else { return nil }
        let full: (lo: Double, hi: Double)? = ys.isEmpty ? nil : (ys.min()!, ys.max()!)
        guard xs.0 <= xs.1, let range = robust ? AxisScale.robustRange(ys) : full, (range.hi - range.lo).isFinite else { return nil }
        if logY {
            let span = max((range.hi - range.lo) * 0.1, 0.1)
            (y0, y1) = (range.lo - span, range.hi + span)
        } else {
            (y0, y1) = AxisScale.padded(range.lo, range.hi, nonNegative: rawLo >= 0)
        }
        x0 = xs.0; x1 = xs.1 > xs.0 ? xs.1 : xs.0 + 1
        self.logY = logY; self.hidden = hidden
    }

    func dotX(_ x: Double, _ dotWidth: Int) -> Int {
        ChartScale.toInt((x - x0) / (x1 - x0) * Double(dotWidth - 1))
    }
    /// Row of an already-transformed value (log10 in log mode).
    func dotY(_ t: Double, _ dotHeight: Int) -> Int {
        ChartScale.toInt((1 - (t - y0) / (y1 - y0)) * Double(dotHeight - 1))
    }
    /// Rounds with the far-off-screen values clamped (an extreme outlier must not trap in Int()).
    static func toInt(_ v: Double) -> Int {
        guard v.isFinite else { return v > 0 ? 1 << 30 : -(1 << 30) }
        return Int(min(max(v, -1e9), 1e9).rounded())
    }

    /// Clamped dot row of a raw value, or nil when it cannot be drawn (non-finite, ≤0 in log mode).
    func row(_ y: Double, _ dh: Int, _ col: Int, _ top: inout [Bool], _ bottom: inout [Bool]) -> Int? {
        guard y.isFinite, !(logY && y <= 0) else { return nil }
        let r = dotY(logY ? Foundation.log10(y) : y, dh)
        let c = min(max(col, 0), top.count - 1)
        if r < 0 { top[c] = true; return 0 }
        if r > dh - 1 { bottom[c] = true; return dh - 1 }
        return r
    }

    func draw(_ data: SeriesData, on cv: inout BrailleCanvas, clipTop: inout [Bool], clipBottom: inout [Bool]) {
        let dw = cv.dotWidth, dh = cv.dotHeight
        var prev: (Int, Int)?
        switch data {
        case .points(let pts):
            for p in pts {
                guard p.x.isFinite else { prev = nil; continue }
                let x = dotX(p.x, dw)
                guard let y = row(p.y, dh, x / 2, &clipTop, &clipBottom) else { prev = nil; continue }
                if let (px, py) = prev { cv.line(px, py, x, y) } else { cv.dot(x, y) }
                prev = (x, y)
            }
        case .buckets(let bs):
            for b in bs {
                let mid = (b.xMin + b.xMax) / 2
                guard mid.isFinite else { prev = nil; continue }
                let x = dotX(mid, dw), c = x / 2
                guard let f = row(b.first, dh, c, &clipTop, &clipBottom), let l = row(b.last, dh, c, &clipTop, &clipBottom),
                      let lo = row(b.min, dh, c, &clipTop, &clipBottom), let hi = row(b.max, dh, c, &clipTop, &clipBottom)
                else { prev = nil; continue }
                if let (px, py) = prev { cv.line(px, py, x, f) }
                cv.line(x, lo, x, hi)
                prev = (x, l)
            }
        }
    }
}
