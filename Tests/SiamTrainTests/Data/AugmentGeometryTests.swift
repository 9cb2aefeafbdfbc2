import RunCore
import Testing
import Tensor
@testable import SiamTrain

/// docs/method.md §3: the relative-embedding coordinates built from `ViewGeometry` must put every view-2
/// patch centre on the view-1 coordinate found by mapping pixels directly through the two crop boxes.
@Suite("Augment geometry")
struct AugmentGeometryTests {
    /// Fractional view-1 patch index (row, col) of view-2 patch (u, v)'s centre, computed from the display
    /// boxes (unflipped source frame) and the flips only: no ViewGeometry formula involved.
    static func direct(_ b1: CropBox, _ b2: CropBox, u: Int, v: Int, G: Int) -> (Double, Double) {
        let fy = (Double(u) + 0.5) / Double(G), fx = (Double(v) + 0.5) / Double(G)
        let y = Double(b2.top) + fy * Double(b2.height)
        // Column in the original image: a flipped view reads its box right to left.
        let x = b2.flipped ? Double(b2.left + b2.width) - fx * Double(b2.width) : Double(b2.left) + fx * Double(b2.width)
        let py = (y - Double(b1.top)) / Double(b1.height)
        let px = b1.flipped ? (Double(b1.left + b1.width) - x) / Double(b1.width) : (x - Double(b1.left)) / Double(b1.width)
        return (py * Double(G) - 0.5, px * Double(G) - 0.5)
    }

    /// The spec's formulas, evaluated from the Float geometry.
    static func formula(_ g: ViewGeometry, u: Int, v: Int, G: Int) -> (Double, Double) {
        let h = Double(g.deltaH) * (Double(u) + 0.5) + Double(G) * Double(g.deltaI) - 0.5
        let w = g.relativeFlip
            ? -Double(g.deltaW) * (Double(v) + 0.5) + Double(G) * Double(g.flipDeltaJ) - 0.5
            : Double(g.deltaW) * (Double(v) + 0.5) + Double(G) * Double(g.deltaJ) - 0.5
        return (h, w)
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func everyPatchCentreMapsOntoView1(flip1: Bool, flip2: Bool) {
        var rng = SeededRNG(seed: 42 + (flip1 ? 1 : 0) + (flip2 ? 2 : 0))
        var worst = 0.0, checked = 0
        for trial in 0..<500 {
            let H = rng.int(8, 64), W = rng.int(8, 64), G = trial % 2 == 0 ? 7 : 14
            let c1 = RandomResizedCrop.sample(height: H, width: W, scale: (0.08, 1), &rng)
            let c2 = RandomResizedCrop.sample(height: H, width: W, scale: (0.08, 1), &rng)
            let g = ViewGeometry(view1: c1, flip1: flip1, view2: c2, flip2: flip2, imageWidth: W)
            let b1 = CropBox(c1, flipped: flip1, imageWidth: W), b2 = CropBox(c2, flipped: flip2, imageWidth: W)
            #expect(g.relativeFlip == (flip1 != flip2))
            for u in 0..<G {
                for v in 0..<G {
                    let d = Self.direct(b1, b2, u: u, v: v, G: G), f = Self.formula(g, u: u, v: v, G: G)
                    worst = max(worst, abs(d.0 - f.0), abs(d.1 - f.1))
                    checked += 1
                }
            }
        }
        #expect(checked > 50_000)
        #expect(worst < 1e-4, "max |formula − direct| = \(worst) over \(checked) patch centres")
    }

    @Test func identicalCropsGiveTheGrid() {
        let c = CropParams(i: 3, j: 5, h: 17, w: 13)
        for flip in [false, true] {
            let g = ViewGeometry(view1: c, flip1: flip, view2: c, flip2: flip, imageWidth: 30)
            for u in 0..<7 { for v in 0..<7 {
                let f = Self.formula(g, u: u, v: v, G: 7)
                #expect(abs(f.0 - Double(u)) < 1e-5 && abs(f.1 - Double(v)) < 1e-5)
            } }
        }
    }

    /// The pixels the crop copies out are the pixels the display box (unflipped frame) names.
    @Test func extractedPixelsMatchTheDisplayBox() {
        var rng = SeededRNG(seed: 5)
        let H = 23, W = 37
        var img = Image8(width: W, height: H, channels: 2)
        for y in 0..<H { for x in 0..<W { img[y, x, 0] = UInt8(y); img[y, x, 1] = UInt8(x) } }
        for _ in 0..<200 {
            let flip = rng.uniform() < 0.5
            let c = RandomResizedCrop.sample(height: H, width: W, scale: (0.08, 1), &rng)
            let crop = RandomResizedCrop.extract(img, c, flipped: flip)
            let box = CropBox(c, flipped: flip, imageWidth: W)
            for y in 0..<c.h { for x in 0..<c.w {
                let ox = flip ? box.left + box.width - 1 - x : box.left + x
                #expect(crop[y, x, 0] == UInt8(box.top + y) && crop[y, x, 1] == UInt8(ox))
            } }
        }
    }

    @Test func cropSamplingFollowsTorchvision() {
        var rng = SeededRNG(seed: 11)
        var fallbacks = 0, squareish = 0
        for _ in 0..<5000 {
            let H = rng.int(4, 80), W = rng.int(4, 80)
            let c = RandomResizedCrop.sample(height: H, width: W, scale: (0.08, 1), &rng)
            #expect(c.h > 0 && c.w > 0 && c.i >= 0 && c.j >= 0 && c.i + c.h <= H && c.j + c.w <= W)
            let r = Double(c.w) / Double(c.h)
            // On near-square images of 16+ px the 10 tries almost never all fail (a sampled crop may still
            // coincide with the centre crop, e.g. the full image).
            if H >= 16 && W >= 16 && 4 * W >= 3 * H && 3 * W <= 4 * H {
                squareish += 1
                if c == RandomResizedCrop.centreFallback(height: H, width: W, ratio: RandomResizedCrop.ratio) { fallbacks += 1 }
            }
            // Rounding w and h separately can push small crops slightly outside (3/4, 4/3).
            #expect(r > 0.75 * (1 - 1.0 / Double(c.h)) - 1e-9 && r < 4.0 / 3.0 * (1 + 1.0 / Double(c.h)) + 1e-9 || c.w == W || c.h == H)
        }
        #expect(squareish > 500 && Double(fallbacks) < 0.02 * Double(squareish), "\(fallbacks) of \(squareish)")
        // Fallback: a 10×100 strip gives the widest allowed centre crop.
        #expect(RandomResizedCrop.centreFallback(height: 10, width: 100, ratio: RandomResizedCrop.ratio) == CropParams(i: 0, j: 43, h: 10, w: 13))
        #expect(RandomResizedCrop.centreFallback(height: 100, width: 10, ratio: RandomResizedCrop.ratio) == CropParams(i: 43, j: 0, h: 13, w: 10))
    }

    @Test func augmenterReportsTheGeometryOfItsOwnCrops() {
        let aug = TwoViewAugmenter(imageSize: 16, augment: AugmentConfig(cropMin: 0.08, view1: .view1, view2: .view2))
        let src = SyntheticShapes(seed: 1, count: 50, size: 32, channels: 3)
        var rng = SeededRNG(seed: 99)
        for k in 0..<50 {
            let out = aug.apply(src.image(k), &rng)
            let (t1, t2) = out.traces
            #expect(out.view1.width == 16 && out.view1.height == 16 && out.view2.channels == 3)
            #expect(out.geometry == ViewGeometry(view1: t1.crop, flip1: t1.flipped, view2: t2.crop, flip2: t2.flipped, imageWidth: 32))
            #expect(out.boxes.0 == CropBox(t1.crop, flipped: t1.flipped, imageWidth: 32))
            #expect(out.boxes.1 == CropBox(t2.crop, flipped: t2.flipped, imageWidth: 32))
        }
    }
}
