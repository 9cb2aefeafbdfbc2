// Min/max (M4 + mean) reduction of points to at most `columns` buckets of equal x width. The store does this in
// SQL for real runs; the TUI uses it for the demo data of tests and the benchmark, and tests of spike survival.

public enum SeriesReducer {
    public static func buckets(_ points: [SeriesPoint], columns: Int) -> [SeriesBucket] {
        let finite = points.lazy.filter { $0.x.isFinite && $0.y.isFinite }
        guard columns > 0, let first = finite.first, let last = finite.reversed().first else { return [] }
        let x0 = first.x, span = max(last.x - x0, 1e-12)
        guard span.isFinite else { return [] }
        var out: [SeriesBucket] = []
        var cur: SeriesBucket?, sum = 0.0, n = 0, curIndex = -1
        for p in finite {
            let i = min(columns - 1, max(0, Int(min(max((p.x - x0) / span, 0), 1) * Double(columns))))
            if i != curIndex, var b = cur {
                b.mean = sum / Double(n); out.append(b); cur = nil
            }
            if cur == nil {
                cur = SeriesBucket(xMin: p.x, xMax: p.x, first: p.y, last: p.y, min: p.y, max: p.y, mean: p.y)
                sum = 0; n = 0; curIndex = i
            }
            cur!.xMax = p.x; cur!.stepMax = SeriesBucket.step(p.x); cur!.last = p.y
            cur!.min = Swift.min(cur!.min, p.y); cur!.max = Swift.max(cur!.max, p.y)
            sum += p.y; n += 1
        }
        if var b = cur { b.mean = sum / Double(n); out.append(b) }
        return out
    }
}
