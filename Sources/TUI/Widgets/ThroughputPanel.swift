// The selected run's throughput: images/s and step time as sparklines, the data wait when the run logs it,
// and the CPU and resident memory of the process that writes it (read from /proc off the UI thread). A run
// from another host or from PyTorch shows what it logs and says why the rest is missing.

import Foundation

public enum ThroughputPanel {
    public static let height = 6                 // border + 4 rows
    /// The series the panel draws (store keys), with their row labels and units.
    public static let rows: [(key: String, label: String, unit: String)] = [
        ("images_per_s", "img/s", ""), ("step_seconds", "step", "s"), ("data_wait_s", "data wait", "s"),
    ]

    public static func render(_ run: RunRow?, _ d: RunData, in r: Rect, into buf: inout ScreenBuffer) {
        let inner = Block.render(in: r, into: &buf, title: "throughput")
        guard inner.width > 12, inner.height > 0, let run else { return }
        let labelWidth = 11, valueWidth = 9
        let sparkWidth = max(0, inner.width - labelWidth - valueWidth - 2)
        for (i, row) in rows.enumerated() where i < inner.height {
            let y = inner.y + i
            buf.put(row.label, x: inner.x + 1, y: y, maxWidth: labelWidth - 1, Style(.axis))
            let values = d.series[row.key].map(values) ?? []
            guard let last = values.last(where: \.isFinite) else {
                buf.put("not logged", x: inner.x + labelWidth, y: y, maxWidth: inner.width - labelWidth, Style(.inactiveFg))
                continue
            }
            Sparkline.render(values, in: Rect(x: inner.x + labelWidth, y: y, width: sparkWidth, height: 1), into: &buf)
            let text = number(last) + row.unit
            buf.put(text, x: inner.maxX - 1 - min(valueWidth, text.count), y: y, maxWidth: valueWidth, Style(.hiFg))
        }
        guard inner.height > rows.count else { return }
        buf.put(usageText(run, d.usage), x: inner.x + 1, y: inner.y + rows.count, maxWidth: inner.width - 2,
                Style(d.usage == nil ? .inactiveFg : .mainFg))
    }

    /// One value per bucket (its mean), newest last.
    static func values(_ s: Series) -> [Double] {
        switch s.data {
        case .points(let p): p.map(\.y)
        case .buckets(let b): b.map { $0.mean.isFinite ? $0.mean : $0.last }
        }
    }

    static func usageText(_ run: RunRow, _ u: ProcessUsage?) -> String {
        guard let u else {
            if !run.status.isLive { return "cpu, rss: the run is \(run.status.rawValue)" }
            return "cpu, rss: writer not on this host"
        }
        let cpu = u.cpuPercent.map { String(format: "%.0f%%", $0) } ?? "…"
        return "cpu \(cpu)  rss \(bytes(u.residentBytes))  pid \(u.pid)"
    }

    static func bytes(_ n: Int) -> String {
        let g = Double(n) / 1_073_741_824
        return g >= 1 ? String(format: "%.2f GiB", g) : String(format: "%.0f MiB", Double(n) / 1_048_576)
    }

    static func number(_ v: Double) -> String {
        abs(v) >= 100 ? String(format: "%.0f", v) : abs(v) >= 1 ? String(format: "%.2f", v) : String(format: "%.3f", v)
    }
}
