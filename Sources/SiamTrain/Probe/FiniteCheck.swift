import Tensor
import ViT

/// Finds the first NaN or infinity in a network's weights or in probe features, so a probe fails with the
/// tensor, row and column that broke instead of turning non-finite features into a top-1 score.
public enum FiniteCheck {
    /// The first non-finite element in `params` (the online weights the probe reads) or `fixed`.
    public static func weights(_ network: SiameseNetwork, source: String) throws(ProbeError) {
        for arena in [network.params, network.fixed] {
            for e in arena.layout.entries {
                let v = arena.view(e)
                if let i = firstNonFinite(v.pointer, count: v.count) {
                    throw .nonFiniteWeights(source: source, tensor: e.name, index: i, value: v.pointer[i])
                }
            }
        }
    }

    /// The first non-finite feature of `set` (`split` is "train" or "test").
    public static func features(_ set: FeatureSet, split: String, source: String, advice: String) throws(ProbeError) {
        guard let i = firstNonFinite(set.features.pointer, count: set.features.count) else { return }
        throw .nonFinite(source: source, split: split, row: i / set.dim, feature: i % set.dim,
                         value: set.features.pointer[i], advice: advice)
    }

    static func firstNonFinite(_ p: UnsafePointer<Float>, count: Int) -> Int? {
        for i in 0..<count where !p[i].isFinite { return i }
        return nil
    }
}
