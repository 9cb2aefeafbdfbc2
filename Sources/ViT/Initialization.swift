import Foundation
import Tensor

/// Initialisation as the official `initialize_weights` (docs/method.md §8).
public enum Initialization {
    /// Xavier-uniform weights and zero biases for every Linear; LN/BN weight 1, bias 0; cls/mask tokens
    /// N(0, 0.02²); the frozen patch embedding gets Xavier on its (D, C·P·P) view and keeps Conv2d's default
    /// bias U(−1/√fan_in, 1/√fan_in); sin-cos tables; BN running var 1. The target is then a copy.
    public static func initialize(trainable: Arena, fixed: Arena, target: Arena, layout: SiameseLayout, seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        let shape = layout.shape
        for e in layout.trainable.entries {
            let v = trainable.view(e)
            if e.name == "cls_token" || e.name == "mask_token" {
                for i in 0..<v.count { v.pointer[i] = Float(0.02 * rng.normal()) }
            } else if e.shape.count == 2 {
                xavier(v, fanOut: e.shape[0], fanIn: e.shape[1], rng: &rng)
            } else if e.name.hasSuffix("norm1.weight") || e.name.hasSuffix("norm2.weight")
                        || e.name.hasSuffix("bn.weight") {
                v.fill(1)
            } else {
                v.fill(0)
            }
        }
        for e in layout.fixed.entries where !e.name.hasPrefix("mm_") {
            let v = fixed.view(e)
            switch e.name {
            case "patch_embed.proj.weight":
                xavier(v, fanOut: e.shape[0], fanIn: v.count / e.shape[0], rng: &rng)
            case "patch_embed.proj.bias":
                let bound = 1.0 / Double(shape.patchDim).squareRoot()
                for i in 0..<v.count { v.pointer[i] = Float(rng.uniform(-bound, bound)) }
            case "pos_embed", "decoder_pos_embed":
                v.copy(from: SinCos2D.absolute(grid: shape.grid, dim: shape.dim))
            default:
                v.fill(e.name.hasSuffix("running_var") ? 1 : 0)
            }
        }
        copyToTarget(trainable: trainable, fixed: fixed, target: target, layout: layout)
    }

    /// Builds the target as an exact copy of the online branch (parameters and BN buffers).
    public static func copyToTarget(trainable: Arena, fixed: Arena, target: Arena, layout: SiameseLayout) {
        target.pointer.update(from: trainable.pointer, count: layout.emaCount)
        for e in layout.fixed.entries where e.name.hasPrefix("mm_") {
            fixed.view(e).copy(from: fixed[String(e.name.dropFirst(3))])
        }
    }

    static func xavier(_ v: TensorView, fanOut: Int, fanIn: Int, rng: inout SeededRNG) {
        let bound = (6.0 / Double(fanIn + fanOut)).squareRoot()
        for i in 0..<v.count { v.pointer[i] = Float(rng.uniform(-bound, bound)) }
    }
}
