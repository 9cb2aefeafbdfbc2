import Foundation
import Tensor

/// torch.optim.AdamW with decoupled weight decay (docs/method.md §7): p ← p·(1 − lr·wd) on decayed
/// parameters, then the bias-corrected Adam step. Moments are arenas over the trainable layout.
public final class AdamW {
    public let m: Arena, v: Arena
    public private(set) var step: Int = 0
    /// The whole arena as consecutive ranges, each with whether weight decay applies to it.
    let segments: [(range: Range<Int>, decays: Bool)]
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float

    public init(layout: ParameterLayout, config: OptimizerConfig, decays: (ParameterLayout.Entry) -> Bool) {
        m = Arena(layout: layout); v = Arena(layout: layout)
        beta1 = Float(config.beta1); beta2 = Float(config.beta2); eps = Float(config.eps)
        weightDecay = Float(config.weightDecay)
        var segments: [(range: Range<Int>, decays: Bool)] = []
        for e in layout.entries.sorted(by: { $0.offset < $1.offset }) {
            let d = decays(e), r = e.offset..<(e.offset + e.count)
            if let last = segments.last, last.decays == d, last.range.upperBound == r.lowerBound {
                segments[segments.count - 1].range = last.range.lowerBound..<r.upperBound
            } else {
                segments.append((r, d))
            }
        }
        self.segments = segments
    }

    /// Restores the step counter (checkpoint resume).
    public func restore(step: Int) { self.step = step }

    /// One AdamW step. Elementwise, so the arena is split over `workers` threads (each walking the segments its
    /// range overlaps); the result does not depend on the split.
    public func update(params: Arena, grads: Arena, lr: Float, workers: Int = Parallel.defaultWorkers) {
        step += 1
        let p = SendablePointer(params.pointer), g = SendablePointer(grads.pointer)
        let mp = SendablePointer(m.pointer), vp = SendablePointer(v.pointer)
        let bc1 = 1 - pow(Double(beta1), Double(step)), bc2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = Float(Double(lr) / bc1), bc2Root = Float(bc2.squareRoot())
        let b1 = beta1, b2 = beta2, e = eps, wd = weightDecay, segments = segments
        Parallel.elementwise(count: segments.last?.range.upperBound ?? 0, workers: workers) { part in
            // One pass per segment: decay, moments and step fused (the same operations, in the same order, as a
            // separate decay loop followed by the Adam loop, so results are bit-identical).
            for (r, decays) in segments where r.overlaps(part) {
                let decay: Float = decays ? 1 - lr * wd : 1
                let (p, g, mp, vp) = (p.p, g.p, mp.p, vp.p)
                for i in r.clamped(to: part) {
                    let gi = g[i]
                    let mi = b1 * mp[i] + (1 - b1) * gi, vi = b2 * vp[i] + (1 - b2) * gi * gi
                    mp[i] = mi; vp[i] = vi
                    p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() / bc2Root + e)
                }
            }
        }
    }
}

/// Global L2 norm of the gradients (in Double) and clipping by 1/(norm + 1e-6) when it exceeds `maxNorm`
/// (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
public enum GradClip {
    @discardableResult
    public static func clip(_ grads: Arena, maxNorm: Double) -> Double {
        let g = grads.pointer
        var sum = 0.0
        var i = 0
        let n = grads.count
        while i < n {
            let end = min(n, i + 4096)
            // Eight-lane partial sums: a scalar `part += g·g` does not vectorise (no FP reassociation).
            var acc = SIMD8<Float>(repeating: 0)
            var j = i
            while j + 8 <= end {
                let x = UnsafeRawPointer(g + j).loadUnaligned(as: SIMD8<Float>.self)
                acc += x * x; j += 8
            }
            var part = acc.sum()
            while j < end { part += g[j] * g[j]; j += 1 }
            sum += Double(part)
            i = end
        }
        let norm = sum.squareRoot()
        let coef = maxNorm / (norm + 1e-6)   // torch clamps the coefficient at 1
        if maxNorm > 0 && coef < 1 {
            let c = Float(coef)
            for j in 0..<n { g[j] *= c }
        }
        return norm
    }
}
