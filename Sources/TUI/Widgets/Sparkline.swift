// Eighth-block sparkline (ratatui's NINE_LEVELS): the newest `width` values, scaled min..max.

public enum Sparkline {
    static let levels: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The glyphs for `values` (newest last) in `width` columns, right-aligned; non-finite values are blank.
    public static func glyphs(_ values: [Double], width: Int) -> [Unicode.Scalar] {
        let v = Array(values.suffix(max(0, width)))
        let finite = v.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return [] }
        return v.map { x in
            guard x.isFinite else { return " " }
            if hi == lo { return levels[3] }
            let f = (x - lo) / (hi - lo) * 7
            guard f.isFinite else { return levels[0] }      // range overflowed (±1e308 values)
            return levels[min(7, max(0, Int(f.rounded())))]
        }
    }

    public static func render(_ values: [Double], in r: Rect, into buf: inout ScreenBuffer, role: ThemeRole = .sparkline) {
        guard r.width > 0, r.height > 0 else { return }
        for (i, g) in glyphs(values, width: r.width).enumerated() { buf.set(r.x + i, r.y, g, Style(role)) }
    }
}
