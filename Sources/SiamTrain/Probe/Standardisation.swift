import Tensor

/// Per-feature mean and std of the TRAIN split (probe-v1's linear probe). The std is the population std
/// (divide by n); with n = 60k it differs from the n−1 form by under 1e-5 relative. Test features are
/// standardised with these train statistics and never with their own.
public struct Standardisation: Sendable {
    public static let epsilon: Float = 1e-6
    public let mean: [Float]
    public let std: [Float]

    public init(train: FeatureSet) {
        let n = train.count, d = train.dim, x = train.features.pointer
        // Double accumulators: 60k rows of Float sums lose digits otherwise. Two passes (mean, then squares)
        // to avoid the cancellation of E[x²] − E[x]².
        var sum = [Double](repeating: 0, count: d)
        sum.withUnsafeMutableBufferPointer { s in
            for i in 0..<n { let row = x + i * d; for j in 0..<d { s[j] += Double(row[j]) } }
        }
        let mu = sum.map { $0 / Double(max(n, 1)) }
        var sq = [Double](repeating: 0, count: d)
        sq.withUnsafeMutableBufferPointer { s in
            mu.withUnsafeBufferPointer { m in
                for i in 0..<n {
                    let row = x + i * d
                    for j in 0..<d { let c = Double(row[j]) - m[j]; s[j] += c * c }
                }
            }
        }
        mean = mu.map { Float($0) }
        std = sq.map { Float(($0 / Double(max(n, 1))).squareRoot()) }
    }

    /// (x − mean) / (std + 1e-6), feature by feature, into a new set with the same labels.
    public func apply(to set: FeatureSet) -> FeatureSet {
        let n = set.count, d = set.dim
        precondition(d == mean.count, "Standardisation.apply: dim \(d) != \(mean.count) (ProbeV1 checks this first)")
        let out = FloatBuffer(count: n * d)
        let scale = std.map { 1 / ($0 + Standardisation.epsilon) }
        mean.withUnsafeBufferPointer { m in
            scale.withUnsafeBufferPointer { s in
                for i in 0..<n {
                    let src = set.features.pointer + i * d, dst = out.pointer + i * d
                    for j in 0..<d { dst[j] = (src[j] - m[j]) * s[j] }
                }
            }
        }
        return try! FeatureSet(features: out, dim: d, labels: set.labels)
    }
}
