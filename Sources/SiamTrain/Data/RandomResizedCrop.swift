import RunCore
import Foundation
import Tensor

/// A crop box (i, j, h, w) = (top, left, height, width) in the frame the crop was drawn in
/// (the possibly flipped full image, docs/method.md §3).
public struct CropParams: Sendable, Equatable {
    public var i: Int, j: Int, h: Int, w: Int
    public init(i: Int, j: Int, h: Int, w: Int) { self.i = i; self.j = j; self.h = h; self.w = w }
}

/// torchvision's `RandomResizedCrop.get_params`: 10 tries of area ~ U(scale)·H·W and log-uniform ratio,
/// then the centre-crop fallback clamped to the ratio range. Python `round` is half-to-even.
public enum RandomResizedCrop {
    public static let ratio: (Double, Double) = (3.0 / 4.0, 4.0 / 3.0)

    public static func sample(height H: Int, width W: Int, scale: (Double, Double),
                              ratio: (Double, Double) = RandomResizedCrop.ratio, _ rng: inout SeededRNG) -> CropParams {
        let area = Double(H * W)
        let logRatio = (log(ratio.0), log(ratio.1))
        for _ in 0..<10 {
            let target = area * rng.uniform(scale.0, scale.1)
            let aspect = exp(rng.uniform(logRatio.0, logRatio.1))
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if 0 < w && w <= W && 0 < h && h <= H {
                let i = rng.int(0, H - h), j = rng.int(0, W - w)
                return CropParams(i: i, j: j, h: h, w: w)
            }
        }
        return centreFallback(height: H, width: W, ratio: ratio)
    }

    static func centreFallback(height H: Int, width W: Int, ratio: (Double, Double)) -> CropParams {
        let inRatio = Double(W) / Double(H)
        var w = W, h = H
        if inRatio < min(ratio.0, ratio.1) {
            h = Int((Double(w) / min(ratio.0, ratio.1)).rounded(.toNearestOrEven))
        } else if inRatio > max(ratio.0, ratio.1) {
            w = Int((Double(h) * max(ratio.0, ratio.1)).rounded(.toNearestOrEven))
        }
        return CropParams(i: (H - h) / 2, j: (W - w) / 2, h: h, w: w)
    }

    /// Copies box `p` out of `image` flipped horizontally first when `flipped`
    /// (flip the full image, then crop: column x of the flipped image is column W−1−x of the original).
    public static func extract(_ image: Image8, _ p: CropParams, flipped: Bool) -> Image8 {
        let C = image.channels, W = image.width
        var out = [UInt8](repeating: 0, count: p.h * p.w * C)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<p.h {
                    let srcRow = (p.i + y) * W
                    for x in 0..<p.w {
                        let fx = p.j + x
                        let sx = flipped ? W - 1 - fx : fx
                        for c in 0..<C { dst[(y * p.w + x) * C + c] = src[(srcRow + sx) * C + c] }
                    }
                }
            }
        }
        return Image8(width: p.w, height: p.h, channels: C, pixels: out)
    }
}

extension ViewGeometry {
    /// The geometry of docs/method.md §3 from the two crops, each in its own (possibly flipped) full image of width W.
    public init(view1 a: CropParams, flip1: Bool, view2 b: CropParams, flip2: Bool, imageWidth W: Int) {
        let h1 = Double(a.h), w1 = Double(a.w)
        self.init(deltaI: Float(Double(b.i - a.i) / h1),
                  deltaJ: Float(Double(b.j - a.j) / w1),
                  deltaH: Float(Double(b.h) / h1),
                  deltaW: Float(Double(b.w) / w1),
                  relativeFlip: flip1 != flip2,
                  flipDeltaJ: Float(Double(W - a.j - b.j) / w1))
    }
}

extension CropBox {
    /// The box in the UNflipped source frame (for display), with the view's flip recorded.
    public init(_ p: CropParams, flipped: Bool, imageWidth W: Int) {
        self.init(top: p.i, left: flipped ? W - p.j - p.w : p.j, height: p.h, width: p.w, flipped: flipped)
    }
}
