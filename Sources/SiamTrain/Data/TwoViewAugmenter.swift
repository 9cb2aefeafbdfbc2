import RunCore
import Tensor

/// What fired for one view, for tests and snapshots.
public struct AugmentTrace: Sendable, Equatable {
    public enum JitterOp: Int, Sendable { case brightness, contrast, saturation, hue }
    public var flipped = false
    public var crop = CropParams(i: 0, j: 0, h: 0, w: 0)
    public var jittered = false
    public var jitterOrder: [JitterOp] = []
    public var factors: (brightness: Double, contrast: Double, saturation: Double, hue: Double) = (1, 1, 1, 0)
    public var grayscaled = false
    public var blurSigma: Double?       // nil = not blurred
    public var solarized = false

    public static func == (a: AugmentTrace, b: AugmentTrace) -> Bool {
        a.flipped == b.flipped && a.crop == b.crop && a.jittered == b.jittered && a.jitterOrder == b.jitterOrder
            && a.factors == b.factors && a.grayscaled == b.grayscaled && a.blurSigma == b.blurSigma
            && a.solarized == b.solarized
    }
}

/// One sample → two views + geometry (docs/method.md §5). Every stage works on 8-bit pixels, as the
/// PIL pipeline does (each PIL op rounds/clips to uint8 before the next); ToTensor/Normalize come last.
public struct TwoViewAugmenter: Sendable {
    public let imageSize: Int
    public let cropMin: Double
    public let view1: ColorRecipe
    public let view2: ColorRecipe
    public let sameView: Bool
    public let colour: Bool

    public init(imageSize: Int, augment: AugmentConfig) {
        self.imageSize = imageSize; cropMin = augment.cropMin; view1 = augment.view1; view2 = augment.view2
        sameView = augment.sameView; colour = augment.colour
    }

    /// Both views as 8-bit images, with their traces and the geometry of view 2 relative to view 1.
    public func apply(_ image: Image8, _ rng: inout SeededRNG)
        -> (view1: Image8, view2: Image8, geometry: ViewGeometry, boxes: (CropBox, CropBox), traces: (AugmentTrace, AugmentTrace)) {
        if sameView { return applySame(image, &rng) }
        // Flips and crops first (both views), so the geometry is fixed before any colour op.
        let f1 = rng.uniform() < 0.5, f2 = rng.uniform() < 0.5
        let scale = (cropMin, 1.0)
        let c1 = RandomResizedCrop.sample(height: image.height, width: image.width, scale: scale, &rng)
        let c2 = RandomResizedCrop.sample(height: image.height, width: image.width, scale: scale, &rng)
        var t1 = AugmentTrace(), t2 = AugmentTrace()
        t1.flipped = f1; t1.crop = c1; t2.flipped = f2; t2.crop = c2
        var v1 = cropResize(image, c1, flipped: f1)
        var v2 = cropResize(image, c2, flipped: f2)
        if colour {
            colour(&v1, view1, &t1, &rng)
            colour(&v2, view2, &t2, &rng)
        }
        let W = image.width
        let geometry = ViewGeometry(view1: c1, flip1: f1, view2: c2, flip2: f2, imageWidth: W)
        return (v1, v2, geometry, (CropBox(c1, flipped: f1, imageWidth: W), CropBox(c2, flipped: f2, imageWidth: W)), (t1, t2))
    }

    /// Table 3's "same view": one flip, one crop and one colour draw (view 1's recipe, a guess: the paper does
    /// not say which), and x2 = x1. The geometry formula with identical crops gives Δi = Δj = 0, sh = sw = 1,
    /// relative_flip = false (and Δj_flip = (W − 2j)/w, unused without a relative flip).
    func applySame(_ image: Image8, _ rng: inout SeededRNG)
        -> (view1: Image8, view2: Image8, geometry: ViewGeometry, boxes: (CropBox, CropBox), traces: (AugmentTrace, AugmentTrace)) {
        let f = rng.uniform() < 0.5
        let c = RandomResizedCrop.sample(height: image.height, width: image.width, scale: (cropMin, 1.0), &rng)
        var t = AugmentTrace()
        t.flipped = f; t.crop = c
        var v = cropResize(image, c, flipped: f)
        if colour { colour(&v, view1, &t, &rng) }
        let W = image.width, box = CropBox(c, flipped: f, imageWidth: W)
        return (v, v, ViewGeometry(view1: c, flip1: f, view2: c, flip2: f, imageWidth: W), (box, box), (t, t))
    }

    func cropResize(_ image: Image8, _ c: CropParams, flipped: Bool) -> Image8 {
        BicubicResize.resize(RandomResizedCrop.extract(image, c, flipped: flipped), width: imageSize, height: imageSize)
    }

    /// RandomApply(ColorJitter, p) → RandomGrayscale(p) → RandomApply(GaussianBlur, p) → RandomApply(Solarize, p).
    func colour(_ img: inout Image8, _ r: ColorRecipe, _ trace: inout AugmentTrace, _ rng: inout SeededRNG) {
        if rng.uniform() < r.jitterP { jitter(&img, r, &trace, &rng) }
        if rng.uniform() < r.grayscaleP { trace.grayscaled = true; ColorOps.grayscale(&img) }
        if rng.uniform() < r.blurP {
            let sigma = rng.uniform(r.blurSigmaMin, r.blurSigmaMax)
            trace.blurSigma = sigma
            GaussianBlur.apply(&img, sigma: sigma)
        }
        if rng.uniform() < r.solarizeP { trace.solarized = true; ColorOps.solarize(&img) }
    }

    /// torchvision ColorJitter: a random permutation of the four ops, factors U[1−x, 1+x] (hue U[−h, h]).
    func jitter(_ img: inout Image8, _ r: ColorRecipe, _ trace: inout AugmentTrace, _ rng: inout SeededRNG) {
        var order: [AugmentTrace.JitterOp] = [.brightness, .contrast, .saturation, .hue]
        for k in stride(from: 3, to: 0, by: -1) { order.swapAt(k, rng.int(0, k)) }
        let b = rng.uniform(max(0, 1 - r.brightness), 1 + r.brightness)
        let c = rng.uniform(max(0, 1 - r.contrast), 1 + r.contrast)
        let s = rng.uniform(max(0, 1 - r.saturation), 1 + r.saturation)
        let h = rng.uniform(-r.hue, r.hue)
        trace.jittered = true; trace.jitterOrder = order; trace.factors = (b, c, s, h)
        for op in order {
            switch op {
            case .brightness: ColorOps.brightness(&img, b)
            case .contrast: ColorOps.contrast(&img, c)
            case .saturation: ColorOps.saturation(&img, s)
            case .hue: ColorOps.hue(&img, h)
            }
        }
    }

    /// ToTensor (/255) and Normalize, HWC uint8 → CHW float at `out`.
    public static func normalize(_ out: UnsafeMutablePointer<Float>, _ img: Image8, mean: [Float], std: [Float]) {
        let C = img.channels, n = img.width * img.height
        precondition(mean.count == C && std.count == C, "normalize: mean/std have \(mean.count)/\(std.count) values for \(C) channels")
        img.pixels.withUnsafeBufferPointer { p in
            for c in 0..<C {
                let scale = 1 / (255 * std[c]), shift = mean[c] / std[c]
                let plane = out + c * n
                for k in 0..<n { plane[k] = Float(p[k * C + c]) * scale - shift }
            }
        }
    }
}
