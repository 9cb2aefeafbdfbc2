import Foundation
import Testing
import Tensor
import ViT

/// Pins every tensor of the random init to the official distribution (OpenGVLab/Siamese-Image-Modeling
/// models_sim.py `initialize_weights`/`_init_weights`, docs/method.md §8). The expected family and
/// bound/std are written here from the official formulas, independently of Initialization.swift.
@Suite struct InitializationTests {
    static let fmnistTiny = NetworkShape(model: ModelConfig(patchSize: 4, dim: 128, depth: 6, heads: 4, mlpRatio: 4,
                                                            projectorDepth: 2, decoderDepth: 4, decoderHeads: 4),
                                         imageSize: 28, channels: 1, maskCount: 29)
    static let cifarTiny = NetworkShape(model: ModelConfig(patchSize: 4, dim: 192, depth: 6, heads: 3, mlpRatio: 4,
                                                           projectorDepth: 2, decoderDepth: 4, decoderHeads: 3),
                                        imageSize: 32, channels: 3, maskCount: 38)

    enum Law: Equatable {
        case uniform(bound: Double)   // U(−b, b): std b/√3, kurtosis 1.8
        case normal(std: Double)      // N(0, s²): kurtosis 3
        case constant(Float)
        case sinCos
    }

    /// The official law of a tensor, by name and shape.
    static func law(_ name: String, _ shape: [Int], channels: Int, patch: Int) -> Law {
        let base = name.hasPrefix("mm_") ? String(name.dropFirst(3)) : name
        if base == "pos_embed" || base == "decoder_pos_embed" { return .sinCos }
        if base == "cls_token" || base == "mask_token" { return .normal(std: 0.02) }
        // xavier_uniform_ on w.view([w.shape[0], -1]): fan_out = D, fan_in = C·P·P.
        if base == "patch_embed.proj.weight" { return .uniform(bound: (6.0 / Double(shape[0] + channels * patch * patch)).squareRoot()) }
        // Not re-initialised: nn.Conv2d's default bias U(±1/√fan_in), fan_in = C·P·P.
        if base == "patch_embed.proj.bias" { return .uniform(bound: 1 / Double(channels * patch * patch).squareRoot()) }
        // nn.Linear weight [out, in] (qkv fused [3D, D]): xavier_uniform_, bound √(6/(in+out)).
        if shape.count == 2 { return .uniform(bound: (6.0 / Double(shape[0] + shape[1])).squareRoot()) }
        let one = base.hasSuffix("running_var") || base.hasSuffix("norm1.weight") || base.hasSuffix("norm2.weight")
            || base.hasSuffix("bn.weight")
        return .constant(one ? 1 : 0)
    }

    struct Moments { var mean = 0.0, std = 0.0, kurtosis = 0.0, maxAbs = 0.0 }

    static func moments(_ v: TensorView) -> Moments {
        let n = Double(v.count)
        var s = 0.0, m = Moments()
        for i in 0..<v.count { s += Double(v.pointer[i]); m.maxAbs = max(m.maxAbs, Double(abs(v.pointer[i]))) }
        m.mean = s / n
        var s2 = 0.0, s4 = 0.0
        for i in 0..<v.count { let d = Double(v.pointer[i]) - m.mean; s2 += d * d; s4 += d * d * d * d }
        m.std = (s2 / n).squareRoot()
        m.kurtosis = s2 > 0 ? (s4 / n) / ((s2 / n) * (s2 / n)) : 0
        return m
    }

    /// Checks one tensor against its law; returns a failure text or nil.
    static func check(_ name: String, _ v: TensorView, _ law: Law, grid: Int) -> String? {
        let n = Double(v.count)
        switch law {
        case .sinCos:
            let ref = SinCos2D.absolute(grid: grid, dim: v.shape.last!)
            let err = (0..<v.count).map { abs(v.pointer[$0] - ref[$0]) }.max() ?? 0
            return err == 0 ? nil : "\(name): not the sin-cos table (max |Δ| \(err))"
        case .constant(let c):
            return (0..<v.count).allSatisfy({ v.pointer[$0] == c }) ? nil : "\(name): not all \(c)"
        case .uniform(let b), .normal(let b):
            let isUniform = { if case .uniform = law { return true } else { return false } }()
            let wantStd = isUniform ? b / 3.0.squareRoot() : b, wantKurt = isUniform ? 1.8 : 3.0
            let m = moments(v)
            // 5-sigma bands: sample std ~ sqrt((κ−1)/(4n)) relative, kurtosis ~ sqrt(24/n) (loose for the uniform).
            var bad: [String] = []
            if abs(m.std / wantStd - 1) > 5 * ((wantKurt - 1) / (4 * n)).squareRoot() + 1e-3 { bad.append("std \(m.std) vs \(wantStd)") }
            if abs(m.mean) > 5 * wantStd / n.squareRoot() { bad.append("mean \(m.mean)") }
            if n >= 100 && abs(m.kurtosis - wantKurt) > 5 * (24 / n).squareRoot() + 0.05 { bad.append("kurtosis \(m.kurtosis) vs \(wantKurt)") }
            if isUniform && m.maxAbs > b * (1 + 1e-6) { bad.append("max |x| \(m.maxAbs) > bound \(b)") }
            if isUniform && n >= 1000 && m.maxAbs < b * 0.99 { bad.append("max |x| \(m.maxAbs) far below bound \(b)") }
            return bad.isEmpty ? nil : "\(name) \(v.shape): " + bad.joined(separator: ", ")
        }
    }

    static func failures(shape: NetworkShape, seed: UInt64) -> [String] {
        let net = SiameseNetwork(shape: shape, seed: seed)
        var out: [String] = []
        for (arena, layout) in [(net.params, net.layout.trainable), (net.target, net.layout.target), (net.fixed, net.layout.fixed)] {
            for e in layout.entries {
                let law = law(e.name, e.shape, channels: shape.channels, patch: shape.model.patchSize)
                if let f = check(e.name, arena.view(e), law, grid: shape.grid) { out.append(f) }
            }
        }
        return out
    }

    @Test(arguments: [0, 1, 2] as [UInt64])
    func fmnistTinyFollowsOfficialLaws(seed: UInt64) {
        let f = Self.failures(shape: Self.fmnistTiny, seed: seed)
        #expect(f.isEmpty, "\(f.count) tensors off the official init: \(f.prefix(5).joined(separator: "; "))")
    }

    @Test func cifarTinyFollowsOfficialLaws() {
        // Three channels: the patch bias bound is 1/√48 and the patch-weight fan_in 48.
        let f = Self.failures(shape: Self.cifarTiny, seed: 0)
        #expect(f.isEmpty, "\(f.count) tensors off the official init: \(f.prefix(5).joined(separator: "; "))")
    }

    @Test(arguments: [("feature", "ln", "ln"), ("pixel", "bn", "bn")])
    func ablationVariantsFollowOfficialLaws(target: String, projectorNorm: String, decoderNorm: String) {
        // LayerNorm projector/decoder (weight 1, bias 0) and the MAE pixel head decoder_pred [p²C, D] (Xavier).
        var shape = Self.fmnistTiny
        shape.model.target = target; shape.model.projectorNorm = projectorNorm; shape.model.decoderNorm = decoderNorm
        let f = Self.failures(shape: shape, seed: 4)
        #expect(f.isEmpty, "\(f.count) tensors off the official init: \(f.prefix(5).joined(separator: "; "))")
    }

    @Test func targetIsExactCopyOfOnline() {
        let net = SiameseNetwork(shape: Self.fmnistTiny, seed: 3)
        for e in net.layout.target.entries {
            let a = net.target.view(e), b = net.params[String(e.name.dropFirst(3))]
            #expect((0..<a.count).allSatisfy { a.pointer[$0] == b.pointer[$0] }, "\(e.name)")
        }
        for e in net.layout.fixed.entries where e.name.hasPrefix("mm_") {
            let a = net.fixed.view(e), b = net.fixed[String(e.name.dropFirst(3))]
            #expect((0..<a.count).allSatisfy { a.pointer[$0] == b.pointer[$0] }, "\(e.name)")
        }
    }

    @Test func checkerRejectsWrongLaws() {
        // The checker must be able to fail: a normal draw with the xavier std, a uniform with a fan_in-only
        // bound, a truncated normal and a patch bias with the wrong fan_in are all rejected.
        let net = SiameseNetwork(shape: Self.fmnistTiny, seed: 0)
        let qkv = net.params["blocks.0.attn.qkv.weight"]
        let b = (6.0 / Double(384 + 128)).squareRoot()
        var rng = SeededRNG(seed: 9)
        let v = FloatBuffer(count: qkv.count)
        let view = TensorView(pointer: v.pointer, shape: qkv.shape)
        for i in 0..<qkv.count { v.pointer[i] = Float(b / 3.0.squareRoot() * rng.normal()) }
        #expect(Self.check("normal", view, .uniform(bound: b), grid: 7) != nil)
        let perPart = (6.0 / Double(128 + 128)).squareRoot()   // xavier over each [D, D] part of q/k/v
        for i in 0..<qkv.count { v.pointer[i] = Float(rng.uniform(-perPart, perPart)) }
        #expect(Self.check("per-part", view, .uniform(bound: b), grid: 7) != nil)
        for i in 0..<qkv.count { var x = rng.normal(); while abs(x) > 1 { x = rng.normal() }; v.pointer[i] = Float(0.02 * x / 0.5396) }
        #expect(Self.check("truncated", view, .normal(std: 0.02), grid: 7) != nil)
        let bias = net.fixed["patch_embed.proj.bias"]
        #expect(Self.check("bias", bias, .uniform(bound: 1 / 48.0.squareRoot()), grid: 7) != nil)
        #expect(Self.check("bias", bias, .uniform(bound: 1 / 16.0.squareRoot()), grid: 7) == nil)
    }
}
