// Y ranges robust to spikes, "nice" 1-2-5 ticks, and tick labels (docs/charts.md §2).

import Foundation

public enum AxisScale {
    /// TensorBoard's outlier-robust range: after sorting the finite values, [y(ceil((n−1)·0.05)), y(floor((n−1)·0.95))]
    /// when n > 2, else the full range. nil when there is no finite value.
    public static func robustRange(_ values: [Double]) -> (lo: Double, hi: Double)? {
        let v = values.filter(\.isFinite).sorted()
        guard let first = v.first, let last = v.last else { return nil }
        guard v.count > 2 else { return (first, last) }
        let n = Double(v.count - 1)
        return (v[Int((n * 0.05).rounded(.up))], v[Int((n * 0.95).rounded(.down))])
    }

    /// Pads a range by 10% (a constant gets ±0.1, or ±10% of |y| when |y| < 0.1); never pads non-negative data below 0.
    public static func padded(_ lo: Double, _ hi: Double, nonNegative: Bool) -> (Double, Double) {
        var a = lo, b = hi
        if b - a <= 0 {
            let p = abs(a) < 0.1 && a != 0 ? abs(a) * 0.1 : 0.1
            a -= p; b += p
        } else {
            let p = max((b - a) * 0.1, 1e-6)
            a -= p; b += p
        }
        if nonNegative && a < 0 && lo >= 0 { a = 0 }
        return (a, b)
    }

    /// Tick positions at a 1-2-5×10^k step giving at most `maxTicks` ticks inside [lo, hi].
    public static func niceTicks(_ lo: Double, _ hi: Double, maxTicks: Int) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo, (hi - lo).isFinite, maxTicks >= 2 else { return lo.isFinite ? [lo] : [] }
        let step = niceStep((hi - lo) / Double(maxTicks - 1))
        guard abs(lo / step) < 1e15 else { return [lo, hi] }   // step below the precision of lo: no exact ticks
        var ticks: [Double] = []
        var k = (lo / step).rounded(.up)
        while k * step <= hi + step * 1e-9 && ticks.count <= maxTicks {
            // Round away binary noise (3 × 0.2 = 0.6000000000000001) so labels and tests see clean values.
            let t = Double(String(format: "%.12g", k * step)) ?? k * step
            ticks.append(t == 0 ? 0 : t)
            k += 1
        }
        return ticks
    }

    /// Ticks of a log10 axis, as log10 values between lo and hi: 1-2-5 × 10^k, thinned to decades (and then to
    /// every n-th decade) when they are too many; inside less than one 1-2-5 step, nice linear ticks instead.
    public static func logTicks(_ lo: Double, _ hi: Double, maxTicks: Int) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo, hi - lo < 600, maxTicks >= 2 else { return niceTicks(lo, hi, maxTicks: maxTicks) }
        var decades: [Double] = [], all: [Double] = []
        for k in Int(lo.rounded(.down))...Int(hi.rounded(.up)) {
            for m in [1.0, 2, 5] {
                let t = Double(k) + Foundation.log10(m)
                guard t >= lo - 1e-12, t <= hi + 1e-12 else { continue }
                all.append(t)
                if m == 1 { decades.append(t) }
            }
        }
        if all.count >= 2 && all.count <= maxTicks { return all }
        if decades.count >= 2 {
            let every = (decades.count + maxTicks - 1) / maxTicks
            return decades.enumerated().filter { $0.offset % every == 0 }.map(\.element)
        }
        if all.count >= 2 { return Array(all.prefix(maxTicks)) }
        let a = Foundation.pow(10, lo), b = Foundation.pow(10, hi)
        return niceTicks(a, b, maxTicks: maxTicks).filter { $0 > 0 }.map { Foundation.log10($0) }
    }

    /// Labels for a column of ticks: the compact `label`s, or, when two of them would read the same (a narrow
    /// range such as 0.9966…0.9974), fixed decimals enough to tell adjacent ticks apart.
    public static func tickLabels(_ values: [Double]) -> [String] {
        let plain = values.map(label)
        guard Set(plain).count < plain.count else { return plain }
        let gaps = zip(values.dropFirst(), values).map { abs($0 - $1) }.filter { $0 > 0 && $0.isFinite }
        guard let step = gaps.min() else { return plain }
        let digits = max(0, min(12, Int((-Foundation.log10(step)).rounded(.up))))
        return values.map { String(format: "%.\(digits)f", $0) }
    }

    /// The smallest 1, 2 or 5 × 10^k that is ≥ raw.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let mag = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * mag >= raw * (1 - 1e-12) { return m * mag }
        return 10 * mag
    }

    /// Compact label: "1.5k", "2M", "0.25", "3.0e-4" (3 significant digits below 1e-3).
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a < 1e-3 { return String(format: "%.1e", v) }
        if a >= 1e6 { return trim(String(format: "%.2f", v / 1e6)) + "M" }
        if a >= 1e4 { return trim(String(format: "%.1f", v / 1e3)) + "k" }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 1 { return trim(String(format: "%.2f", v)) }
        return trim(String(format: "%.3f", v))
    }

    /// Time labels for the x axis: relative "1m30s"/"2h05m", wall "HH:MM" (UTC, so snapshots are stable).
    public static func timeLabel(_ v: Double, wall: Bool) -> String {
        guard abs(v) < 1e12 else { return "?" }
        if wall {
            let t = Int(v.rounded(.down)) % 86400
            return String(format: "%02d:%02d", t / 3600, (t / 60) % 60)
        }
        let t = Int(v.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return t % 60 == 0 ? "\(t / 60)m" : "\(t / 60)m\(t % 60)s" }
        return String(format: "%dh%02dm", t / 3600, (t / 60) % 60)
    }

    /// "ETA 1h02m" style durations for the status line.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return "--" }
        let t = Int(seconds.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t / 3600)h\(String(format: "%02d", (t / 60) % 60))m"
    }

    private static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
