/// The min/max pyramid behind `series` (table `scalarBucket`). Level l (1...4) cuts the step axis into
/// aligned buckets of 16^l steps (bucket = step >> 4l). Every writer folds its rows in, so a chart column of
/// c steps reads about one bucket per column instead of c raw rows. Buckets also keep the sum of their non-NaN
/// values (so means are real) and the wall times of their first and last steps (so time axes need no raw rows).
enum Pyramid {
    static let levels = 1...4
    static let shiftPerLevel = 4
    static func width(level: Int) -> Int { 1 << (shiftPerLevel * level) }
    static func bucket(step: Int, level: Int) -> Int { step >> (shiftPerLevel * level) }

    /// The aggregate of one bucket (or one chart column): the same fields as ColumnBucket.
    struct Agg {
        var stepMin: Int, stepMax: Int
        var first: Double, last: Double
        var min: Double, max: Double          // NaN until a non-NaN value arrives
        var count: Int, nanCount: Int
        var sum: Double                       // of the non-NaN values
        var wallFirst: Double?, wallLast: Double?   // wall times of stepMin and stepMax

        init(step: Int, value: Double, wallTime: Double? = nil) {
            stepMin = step; stepMax = step; first = value; last = value
            min = value; max = value; count = 1; nanCount = value.isNaN ? 1 : 0
            sum = value.isNaN ? 0 : value
            wallFirst = wallTime; wallLast = wallTime
        }

        init(stepMin: Int, stepMax: Int, first: Double, last: Double, min: Double, max: Double, count: Int, nanCount: Int,
             sum: Double, wallFirst: Double?, wallLast: Double?) {
            self.stepMin = stepMin; self.stepMax = stepMax; self.first = first; self.last = last
            self.min = min; self.max = max; self.count = count; self.nanCount = nanCount
            self.sum = sum; self.wallFirst = wallFirst; self.wallLast = wallLast
        }

        /// Folds in another aggregate covering other steps (either side).
        mutating func merge(_ o: Agg) {
            if o.stepMin < stepMin { stepMin = o.stepMin; first = o.first; wallFirst = o.wallFirst }
            if o.stepMax > stepMax { stepMax = o.stepMax; last = o.last; wallLast = o.wallLast }
            // Plain comparisons (not Swift.min) so NaN never wins and never poisons.
            if !o.min.isNaN && (min.isNaN || o.min < min) { min = o.min }
            if !o.max.isNaN && (max.isNaN || o.max > max) { max = o.max }
            count += o.count; nanCount += o.nanCount; sum += o.sum
        }

        mutating func add(step: Int, value: Double, wallTime: Double?) { merge(Agg(step: step, value: value, wallTime: wallTime)) }

        var column: ColumnBucket {
            ColumnBucket(xMin: stepMin, xMax: stepMax, first: first, last: last, min: min, max: max, count: count, nanCount: nanCount,
                         sum: sum, wallFirst: wallFirst, wallLast: wallLast)
        }
    }

    /// Accumulates one series' new points into per-level buckets. Points in ascending step order (the usual
    /// case) merge into the open bucket; any other order just produces more upserts, which SQL merges.
    struct SeriesBuilder {
        private(set) var finished: [(level: Int, bucket: Int, agg: Agg)] = []
        private var open: [(bucket: Int, agg: Agg)?] = Array(repeating: nil, count: Pyramid.levels.count)

        mutating func add(step: Int, value: Double, wallTime: Double? = nil) {
            for level in Pyramid.levels {
                let b = Pyramid.bucket(step: step, level: level)
                if var o = open[level - 1], o.bucket == b {
                    o.agg.add(step: step, value: value, wallTime: wallTime)
                    open[level - 1] = o
                } else {
                    if let o = open[level - 1] { finished.append((level, o.bucket, o.agg)) }
                    open[level - 1] = (b, Agg(step: step, value: value, wallTime: wallTime))
                }
            }
        }

        /// Every bucket touched, open ones included.
        mutating func drain() -> [(level: Int, bucket: Int, agg: Agg)] {
            for level in Pyramid.levels { if let o = open[level - 1] { finished.append((level, o.bucket, o.agg)) } }
            open = Array(repeating: nil, count: Pyramid.levels.count)
            defer { finished.removeAll(keepingCapacity: true) }
            return finished
        }
    }
}
