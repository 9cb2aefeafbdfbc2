import Tensor

/// Features of a labelled split, as the probes see them: `features` is [count, dim] row-major.
public struct FeatureSet: Sendable {
    public let features: FloatBuffer
    public let dim: Int
    public let labels: [Int]

    public var count: Int { labels.count }

    /// Checks the shape and that labels are non-negative; `ProbeV1` checks them against the class count.
    public init(features: FloatBuffer, dim: Int, labels: [Int]) throws(ProbeError) {
        guard dim > 0 else { throw .badParameter("feature dim must be > 0, got \(dim)") }
        guard features.count == labels.count * dim else {
            throw .featureCountMismatch(features: features.count, count: labels.count, dim: dim)
        }
        if let i = labels.firstIndex(where: { $0 < 0 }) {
            throw .badLabel(label: labels[i], index: i, classes: (labels.max() ?? 0) + 1)
        }
        self.features = features
        self.dim = dim
        self.labels = labels
    }

    /// The first `n` samples (a copy), for quick subsets in tests and smoke runs.
    public func prefix(_ n: Int) -> FeatureSet {
        let m = max(0, min(n, count))
        let buf = FloatBuffer(count: m * dim)
        buf.pointer.update(from: features.pointer, count: m * dim)
        // Shape and labels come from a valid set, so this cannot fail.
        return try! FeatureSet(features: buf, dim: dim, labels: Array(labels[0..<m]))
    }

    func validate(classes: Int, name: String) throws(ProbeError) {
        guard count > 0 else { throw .emptySet(name) }
        if let i = labels.firstIndex(where: { $0 >= classes }) {
            throw .badLabel(label: labels[i], index: i, classes: classes)
        }
    }
}
