// Steps ↔ x on a chart's own axis, from the series it draws: a time axis has no formula for the step under
// the mouse, but each bucket knows both its steps and its times.

extension SeriesData {
    /// The step drawn at x: exact on a point series, interpolated inside the nearest bucket otherwise.
    public func step(atX x: Double) -> Int? {
        switch self {
        case .points(let p):
            guard let best = p.min(by: { abs($0.x - x) < abs($1.x - x) }) else { return nil }
            return SeriesBucket.step(best.x)
        case .buckets(let b):
            guard let best = b.min(by: { Self.distance($0, x) < Self.distance($1, x) }) else { return nil }
            guard best.xMax > best.xMin else { return best.stepMin }
            let f = min(1, max(0, (x - best.xMin) / (best.xMax - best.xMin)))
            return best.stepMin + Int((f * Double(best.stepMax - best.stepMin)).rounded())
        }
    }

    /// The x at which a step is drawn: interpolated inside the bucket that holds it (or the nearest one).
    public func x(atStep step: Int) -> Double? {
        switch self {
        case .points(let p):
            return p.min(by: { abs($0.x - Double(step)) < abs($1.x - Double(step)) })?.x
        case .buckets(let b):
            guard let best = b.min(by: { Self.stepDistance($0, step) < Self.stepDistance($1, step) }) else { return nil }
            guard best.stepMax > best.stepMin else { return best.xMin }
            let f = min(1, max(0, Double(step - best.stepMin) / Double(best.stepMax - best.stepMin)))
            return best.xMin + f * (best.xMax - best.xMin)
        }
    }

    static func distance(_ b: SeriesBucket, _ x: Double) -> Double { x < b.xMin ? b.xMin - x : x > b.xMax ? x - b.xMax : 0 }
    static func stepDistance(_ b: SeriesBucket, _ s: Int) -> Int { s < b.stepMin ? b.stepMin - s : s > b.stepMax ? s - b.stepMax : 0 }
}
