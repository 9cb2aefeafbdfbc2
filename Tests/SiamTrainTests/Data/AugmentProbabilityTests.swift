import Foundation
import Testing
import Tensor
@testable import SiamTrain

/// docs/method.md §5 per-view probabilities over 10k seeded draws, within 4 binomial σ.
@Suite("Augment probabilities")
struct AugmentProbabilityTests {
    static func within(_ hits: Int, _ n: Int, p: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let sigma = (p * (1 - p) / Double(n)).squareRoot()
        let rate = Double(hits) / Double(n)
        if p == 0 || p == 1 {
            #expect(rate == p, "\(what): rate \(rate), expected exactly \(p)", sourceLocation: sourceLocation)
        } else {
            #expect(abs(rate - p) <= 4 * sigma, "\(what): rate \(rate), expected \(p) ± \(4 * sigma)", sourceLocation: sourceLocation)
        }
    }

    @Test func officialRecipeRates() {
        let aug = TwoViewAugmenter(imageSize: 8, augment: AugmentConfig(cropMin: 0.08, view1: .view1, view2: .view2))
        let image = SyntheticShapes(seed: 2, count: 1, size: 12, channels: 3).image(0)
        let n = 10_000
        var c = [String: Int]()
        var first = [Int](repeating: 0, count: 4)
        var rng = SeededRNG(seed: 2024)
        for _ in 0..<n {
            let (t1, t2) = aug.apply(image, &rng).traces
            for (name, hit) in [("flip1", t1.flipped), ("flip2", t2.flipped), ("bothFlip", t1.flipped && t2.flipped),
                                ("jitter1", t1.jittered), ("jitter2", t2.jittered), ("gray1", t1.grayscaled),
                                ("gray2", t2.grayscaled), ("blur1", t1.blurSigma != nil), ("blur2", t2.blurSigma != nil),
                                ("sol1", t1.solarized), ("sol2", t2.solarized)] where hit {
                c[name, default: 0] += 1
            }
            for t in [t1, t2] where t.jittered {
                first[t.jitterOrder[0].rawValue] += 1
                #expect(Set(t.jitterOrder.map(\.rawValue)) == Set(0..<4))
                #expect((0.6...1.4).contains(t.factors.brightness) && (0.6...1.4).contains(t.factors.contrast))
                #expect((0.8...1.2).contains(t.factors.saturation) && (-0.1...0.1).contains(t.factors.hue))
            }
            for t in [t1, t2] { if let s = t.blurSigma { #expect(s >= 0.1 && s <= 2.0) } }
        }
        Self.within(c["flip1", default: 0], n, p: 0.5, "flip view 1")
        Self.within(c["flip2", default: 0], n, p: 0.5, "flip view 2")
        Self.within(c["bothFlip", default: 0], n, p: 0.25, "both flipped (independence)")
        Self.within(c["jitter1", default: 0], n, p: 0.8, "jitter view 1")
        Self.within(c["jitter2", default: 0], n, p: 0.8, "jitter view 2")
        Self.within(c["gray1", default: 0], n, p: 0.2, "grayscale view 1")
        Self.within(c["gray2", default: 0], n, p: 0.2, "grayscale view 2")
        Self.within(c["blur1", default: 0], n, p: 1.0, "blur view 1")
        Self.within(c["blur2", default: 0], n, p: 0.1, "blur view 2")
        Self.within(c["sol1", default: 0], n, p: 0.0, "solarize view 1")
        Self.within(c["sol2", default: 0], n, p: 0.2, "solarize view 2")
        let jittered = first.reduce(0, +)
        for k in 0..<4 { Self.within(first[k], jittered, p: 0.25, "jitter op \(k) first") }
    }

    /// The colour ops really run: a solarized view differs from the same draw without solarize.
    @Test func pipelineOrderOnPixels() {
        var recipe = ColorRecipe.view2
        recipe.jitterP = 0; recipe.grayscaleP = 0; recipe.blurP = 0; recipe.solarizeP = 1
        let aug = TwoViewAugmenter(imageSize: 10, augment: AugmentConfig(cropMin: 1, view1: recipe, view2: recipe))
        var plain = recipe; plain.solarizeP = 0
        let augPlain = TwoViewAugmenter(imageSize: 10, augment: AugmentConfig(cropMin: 1, view1: plain, view2: plain))
        let image = SyntheticShapes(seed: 4, count: 1, size: 10, channels: 1).image(0)
        var r1 = SeededRNG(seed: 1), r2 = SeededRNG(seed: 1)
        let a = aug.apply(image, &r1), b = augPlain.apply(image, &r2)
        // Full-image crop at the same size is the identity resize; flips as drawn.
        let expected = RandomResizedCrop.extract(image, CropParams(i: 0, j: 0, h: 10, w: 10), flipped: b.traces.0.flipped)
        #expect(b.view1 == expected)
        #expect(a.view1.pixels == b.view1.pixels.map { $0 >= 128 ? 255 - $0 : $0 })
    }

    @Test func normalizeIsToTensorThenNormalize() {
        let img = Image8(width: 2, height: 1, channels: 3, pixels: [0, 128, 255, 10, 20, 30])
        var out = [Float](repeating: 0, count: 6)
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        out.withUnsafeMutableBufferPointer { TwoViewAugmenter.normalize($0.baseAddress!, img, mean: mean, std: std) }
        let expected: [Float] = [(0 / 255 - 0.485) / 0.229, (10 / 255 - 0.485) / 0.229,
                                 (128 / 255 - 0.456) / 0.224, (20 / 255 - 0.456) / 0.224,
                                 (255 / 255 - 0.406) / 0.225, (30 / 255 - 0.406) / 0.225]
        for k in 0..<6 { #expect(abs(out[k] - expected[k]) < 1e-5, "value \(k)") }
    }
}
