// TensorBoard's classic debiased EMA (docs/charts.md §1), applied to full-resolution points, or to bucket
// means when only reduced data is at hand.

public enum Smoothing {
    /// ŷ_t = Σ_{k≤t} w^{t−k}·y_k / Σ_{k≤t} w^{t−k}. Non-finite values pass through without advancing the
    /// count; a constant series comes back unchanged (tensorboard#786).
    public static func debiasedEMA(_ ys: [Double], weight s: Double) -> [Double] {
        let w = s.isFinite ? min(1, max(0, s)) : 0
        guard let y0 = ys.first(where: \.isFinite) else { return ys }
        if ys.allSatisfy({ $0 == y0 }) { return ys }
        var out = [Double](repeating: 0, count: ys.count)
        var last = 0.0, n = 0.0
        for (i, y) in ys.enumerated() {
            guard y.isFinite else { out[i] = y; continue }
            last = w * last + (1 - w) * y
            n += 1
            let debias = w == 1 ? 1 : 1 - intPow(w, Int(n))
            out[i] = last / debias
        }
        return out
    }

    /// The smoothed line of a series: points keep their x; buckets become one point per bucket (centre, mean).
    public static func smoothed(_ data: SeriesData, weight: Double) -> [SeriesPoint] {
        switch data {
        case .points(let p):
            let ys = debiasedEMA(p.map(\.y), weight: weight)
            return zip(p, ys).map { SeriesPoint(x: $0.x, y: $1) }
        case .buckets(let b):
            let ys = debiasedEMA(b.map(\.mean), weight: weight)
            return zip(b, ys).map { SeriesPoint(x: ($0.xMin + $0.xMax) / 2, y: $1) }
        }
    }
}

@inline(__always) func intPow(_ b: Double, _ e: Int) -> Double {
    // Integer powers by squaring: no libm needed and exact enough for debiasing.
    var result = 1.0, base = b, k = e
    while k > 0 { if k & 1 == 1 { result *= base }; base *= base; k >>= 1 }
    return result
}
