import Testing
import Tensor
@testable import SiamTrain

/// The data-side Table-3 switches: same view, colour off, random masks (docs/method.md §10).
@Suite struct AblationDataTests {
    static let source = SyntheticShapes(seed: 3, count: 64, size: 28, channels: 1)

    static func builder(_ edit: (inout RunConfig) -> Void) throws -> BatchBuilder {
        var c = DataFixtures.fmnistTiny(batch: 16, source: "synthetic")
        edit(&c)
        try c.validate()
        return try BatchBuilder(source: source, config: c)
    }

    @Test func sameViewGivesIdenticalImagesAndTheIdentityGeometry() throws {
        let b = try Self.builder { $0.augment.views = "same" }
        for step in 0..<3 {
            let batch = b.build(step: step)
            #expect(batch.x1.array == batch.x2.array)
            for s in 0..<batch.size {
                let g = batch.geometry[s], (c1, c2) = batch.crops[s]
                #expect(g.deltaI == 0 && g.deltaJ == 0 && g.deltaH == 1 && g.deltaW == 1 && !g.relativeFlip)
                #expect(c1 == c2)
                #expect(batch.mask[(s * 49)..<((s + 1) * 49)].reduce(0) { $0 + Int($1) } == 29)
            }
        }
        // Δj_flip follows the formula (W − j1 − j2)/w1 with j1 = j2 (unused without a relative flip).
        var same = DataFixtures.fmnistTiny(batch: 1, source: "synthetic").augment
        same.views = "same"
        let aug = TwoViewAugmenter(imageSize: 28, augment: same)
        for k in 0..<10 {
            var rng = SeededRNG(seed: UInt64(k))
            let out = aug.apply(Self.source.image(k), &rng)
            let c = out.traces.0.crop
            #expect(out.view1.pixels == out.view2.pixels && out.traces.0 == out.traces.1)
            #expect(out.geometry.flipDeltaJ == Float(Double(28 - 2 * c.j) / Double(c.w)))
        }
        // Different views (the default) do differ.
        let d = try Self.builder { _ in }.build(step: 0)
        #expect(d.x1.array != d.x2.array)
    }

    /// Colour off = flip, crop and resize only: each view equals the geometric pipeline on the same crop, the
    /// crops are the ones the colour-on pipeline draws (flips and crops come first), and nothing else fired.
    @Test func colourOffIsTheGeometricPipeline() throws {
        var on = DataFixtures.fmnistTiny(batch: 1, source: "synthetic").augment
        var off = on; off.colorAug = "off"
        on.view1.jitterP = 1; on.view2.jitterP = 1
        let augOn = TwoViewAugmenter(imageSize: 28, augment: on), augOff = TwoViewAugmenter(imageSize: 28, augment: off)
        for k in 0..<20 {
            let image = Self.source.image(k)
            var r1 = SeededRNG(seed: UInt64(k)), r2 = SeededRNG(seed: UInt64(k))
            let a = augOff.apply(image, &r1), b = augOn.apply(image, &r2)
            #expect(a.traces.0.crop == b.traces.0.crop && a.traces.1.crop == b.traces.1.crop)
            #expect(a.traces.0.flipped == b.traces.0.flipped && a.traces.1.flipped == b.traces.1.flipped)
            for (t, view) in [(a.traces.0, a.view1), (a.traces.1, a.view2)] {
                #expect(!t.jittered && !t.grayscaled && t.blurSigma == nil && !t.solarized)
                #expect(view.pixels == augOff.cropResize(image, t.crop, flipped: t.flipped).pixels)
            }
            #expect(b.traces.0.jittered)
        }
    }

    @Test func randomMasksHaveTheExactCountForEverySeed() throws {
        var patterns = Set<[UInt8]>()
        for seed in 0..<40 {
            let b = try Self.builder { $0.mask.kind = "random"; $0.train.seed = UInt64(seed) }
            #expect(b.masks is RandomMaskGenerator)
            let batch = b.build(step: seed)
            for s in 0..<batch.size {
                let row = Array(batch.mask[(s * 49)..<((s + 1) * 49)])
                #expect(row.reduce(0) { $0 + Int($1) } == 29)
                patterns.insert(row)
            }
        }
        #expect(patterns.count > 600)   // 640 draws of C(49, 29) patterns: essentially never a repeat
    }
}
