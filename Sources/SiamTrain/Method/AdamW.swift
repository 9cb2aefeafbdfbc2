import Foundation
import Tensor

/// torch.optim.AdamW with decoupled weight decay (siameseim-spec.md §7.2): p ← p·(1 − lr·wd) on decayed
/// parameters, then the bias-corrected Adam step. Moments are arenas over the trainable layout.
public final class AdamW {
    public let m: Arena, v: Arena
    public private(set) var step: Int = 0
    let decayRanges: [Range<Int>]
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float

    public init(layout: ParameterLayout, config: OptimizerConfig, decays: (ParameterLayout.Entry) -> Bool) {
        m = Arena(layout: layout); v = Arena(layout: layout)
        beta1 = Float(config.beta1); beta2 = Float(config.beta2); eps = Float(config.eps)
        weightDecay = Float(config.weightDecay)
        decayRanges = layout.entries.filter(decays).map { $0.offset..<($0.offset + $0.count) }
    }

    /// Restores the step counter (checkpoint resume).
    public func restore(step: Int) { self.step = step }

    public func update(params: Arena, grads: Arena, lr: Float) {
        step += 1
        let n = params.count, p = params.pointer, g = grads.pointer, mp = m.pointer, vp = v.pointer
        let decay = 1 - lr * weightDecay
        for r in decayRanges { for i in r { p[i] *= decay } }
        let bc1 = 1 - pow(Double(beta1), Double(step)), bc2 = 1 - pow(Double(beta2), Double(step))
        let stepSize = Float(Double(lr) / bc1), bc2Root = Float(bc2.squareRoot())
        let b1 = beta1, b2 = beta2, e = eps
        for i in 0..<n {
            let gi = g[i]
            mp[i] = b1 * mp[i] + (1 - b1) * gi
            vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
            p[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2Root + e)
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
            var part: Float = 0
            for j in i..<end { part += g[j] * g[j] }
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
