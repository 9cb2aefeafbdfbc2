// Data → dot mapping of one chart: x range (optionally a forced window, optionally log10), robust (and
// optionally log10) y range, and the count of points hidden by log y.

import Foundation

struct ChartScale {
    let x0: Double, x1: Double, y0: Double, y1: Double     // transformed (log10 where logX / logY)
    let logX: Bool, logY: Bool
    let hidden: Int

    /// `window` forces the x range exactly (a zoomed chart); values outside it leave the y range alone.
    /// `yRange` forces the y range (shared across compared runs).
    init?(lines: [ChartLine], logY: Bool, logX: Bool = false, robust: Bool, xDomain: (Double, Double)?,
          window: (Double, Double)? = nil, yRange: (Double, Double)? = nil) {
        let tw = window.map { (ChartScale.tx($0.0, logX), ChartScale.tx($0.1, logX)) }
        var xs: (Double, Double) = (.infinity, -.infinity)
        var ys: [Double] = [], hidden = 0, rawLo = Double.infinity
        func inWindow(_ a: Double, _ b: Double) -> Bool { tw.map { b >= $0.0 && a <= $0.1 } ?? true }
        func addY(_ y: Double, _ use: Bool) {
            guard y.isFinite else { return }
            if logY && y <= 0 { hidden += 1; return }
            if use { ys.append(logY ? Foundation.log10(y) : y); rawLo = min(rawLo, y) }
        }
        for l in lines {
            switch l.data {
            case .points(let p):
                for q in p where q.x.isFinite {
                    let x = ChartScale.tx(q.x, logX)
                    guard inWindow(x, x) else { continue }
                    xs = (min(xs.0, x), max(xs.1, x)); addY(q.y, l.inRange)
                }
            case .buckets(let b):
                for q in b where q.xMin.isFinite && q.xMax.isFinite {
                    let a = ChartScale.tx(q.xMin, logX), z = ChartScale.tx(q.xMax, logX)
                    guard inWindow(a, z) else { continue }
                    xs = (min(xs.0, a), max(xs.1, z)); addY(q.min, l.inRange); addY(q.max, l.inRange)
                }
            }
        }
        if let d = xDomain, d.0.isFinite, d.1.isFinite {
            xs = (min(ChartScale.tx(d.0, logX), xs.0), max(ChartScale.tx(d.1, logX), xs.1))
        }
        if let w = tw { xs = w }
        guard (xs.1 - xs.0).isFinite, xs.0 <= xs.1 else { return nil }
        let full: (lo: Double, hi: Double)? = ys.isEmpty ? nil : (ys.min()!, ys.max()!)
        let forced = yRange.map { (lo: logY ? Foundation.log10(max($0.0, .leastNormalMagnitude)) : $0.0,
                                   hi: logY ? Foundation.log10(max($0.1, .leastNormalMagnitude)) : $0.1) }
        guard let range = forced ?? (robust ? AxisScale.robustRange(ys) : full), (range.hi - range.lo).isFinite else { return nil }
        if logY {
            let span = max((range.hi - range.lo) * 0.1, 0.1)
            (y0, y1) = (range.lo - span, range.hi + span)
        } else {
            (y0, y1) = AxisScale.padded(range.lo, range.hi, nonNegative: (forced?.lo ?? rawLo) >= 0)
        }
        x0 = xs.0; x1 = xs.1 > xs.0 ? xs.1 : xs.0 + 1
        self.logX = logX; self.logY = logY; self.hidden = hidden
    }

    /// log10 on a log x axis, with x below 1 drawn at 1 (step 0 sits on the left edge).
    static func tx(_ x: Double, _ logX: Bool) -> Double { logX ? Foundation.log10(max(x, 1)) : x }

    /// Dot column of a raw x (fractional, unclamped).
    func dotXValue(_ x: Double, _ dotWidth: Int) -> Double { (ChartScale.tx(x, logX) - x0) / (x1 - x0) * Double(dotWidth - 1) }
    func dotX(_ x: Double, _ dotWidth: Int) -> Int { ChartScale.toInt(dotXValue(x, dotWidth)) }
    /// The raw x at a dot column: the inverse of dotX.
    func xValue(dot: Int, _ dotWidth: Int) -> Double {
        let t = x0 + Double(dot) / Double(max(1, dotWidth - 1)) * (x1 - x0)
        return logX ? Foundation.pow(10, t) : t
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
        guard col >= 0, col < top.count else { return min(max(r, 0), dh - 1) }
        if r < 0 { top[col] = true; return 0 }
        if r > dh - 1 { bottom[col] = true; return dh - 1 }
        return r
    }

    /// A segment clipped to the canvas columns (with a margin of one), so zoomed-in charts draw only what is
    /// visible and a far neighbour costs nothing.
    static func segment(_ cv: inout BrailleCanvas, _ a: (x: Double, y: Int), _ b: (x: Double, y: Int)) {
        let lo = -1.0, hi = Double(cv.dotWidth)
        var (ax, ay, bx, by) = (a.x, Double(a.y), b.x, Double(b.y))
        if ax > bx { swap(&ax, &bx); swap(&ay, &by) }
        guard bx >= lo, ax <= hi else { return }
        if ax < lo { ay += (by - ay) * (lo - ax) / (bx - ax); ax = lo }
        if bx > hi { by = ay + (by - ay) * (hi - ax) / (bx - ax); bx = hi }
        cv.line(toInt(ax), toInt(ay), toInt(bx), toInt(by))
    }

    func draw(_ data: SeriesData, on cv: inout BrailleCanvas, clipTop: inout [Bool], clipBottom: inout [Bool]) {
        let dw = cv.dotWidth, dh = cv.dotHeight
        var prev: (x: Double, y: Int)?
        switch data {
        case .points(let pts):
            for p in pts {
                guard p.x.isFinite else { prev = nil; continue }
                let x = dotXValue(p.x, dw)
                guard let y = row(p.y, dh, ChartScale.toInt(x) / 2, &clipTop, &clipBottom) else { prev = nil; continue }
                if let p = prev { Self.segment(&cv, p, (x, y)) } else { cv.dot(ChartScale.toInt(x), y) }
                prev = (x, y)
            }
        case .buckets(let bs):
            for b in bs {
                let mid = (b.xMin + b.xMax) / 2
                guard mid.isFinite else { prev = nil; continue }
                let x = dotXValue(logX ? b.xMax : mid, dw), xi = ChartScale.toInt(x), c = xi / 2
                guard let f = row(b.first, dh, c, &clipTop, &clipBottom), let l = row(b.last, dh, c, &clipTop, &clipBottom),
                      let lo = row(b.min, dh, c, &clipTop, &clipBottom), let hi = row(b.max, dh, c, &clipTop, &clipBottom)
                else { prev = nil; continue }
                if let p = prev { Self.segment(&cv, p, (x, f)) }
                if x >= -1 && x <= Double(dw) { cv.line(xi, lo, xi, hi) }
                prev = (x, l)
            }
        }
    }
}
