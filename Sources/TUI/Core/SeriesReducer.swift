// Min/max (M4 + mean) reduction of points to at most `columns` buckets of equal x width. The store does this in
// SQL for real runs; the TUI uses it for demo data, the benchmark and tests of spike survival.

public enum SeriesReducer {
    public static func buckets(_ points: [SeriesPoint], columns: Int) -> [SeriesBucket] {
        guard columns > 0, let first = points.first, let last = points.last else { return [] }
        let x0 = first.x, span = max(last.x - x0, 1e-12)
        var out: [SeriesBucket] = []
        var cur: SeriesBucket?, sum = 0.0, n = 0, curIndex = -1
        for p in points where p.y.isFinite {
            let i = min(columns - 1, Int((p.x - x0) / span * Double(columns)))
            if i != curIndex, var b = cur {
                b.mean = sum / Double(n); out.append(b); cur = nil
            }
            if cur == nil {
                cur = SeriesBucket(xMin: p.x, xMax: p.x, first: p.y, last: p.y, min: p.y, max: p.y, mean: p.y)
                sum = 0; n = 0; curIndex = i
            }
            cur!.xMax = p.x; cur!.last = p.y
            cur!.min = Swift.min(cur!.min, p.y); cur!.max = Swift.max(cur!.max, p.y)
            sum += p.y; n += 1
        }
        if var b = cur { b.mean = sum / Double(n); out.append(b) }
        return out
    }
}
