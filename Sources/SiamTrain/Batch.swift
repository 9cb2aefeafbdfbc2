import RunCore
import Tensor

/// The relative geometry of view 2 with respect to view 1 for one sample (docs/method.md §3).
/// (i, j, h, w) are each crop's (top, left, height, width) in original-image pixels after that view's flip.
public struct ViewGeometry: Sendable, Equatable, Codable {
    public var deltaI: Float        // (i2 − i1) / h1
    public var deltaJ: Float        // (j2 − j1) / w1
    public var deltaH: Float        // h2 / h1
    public var deltaW: Float        // w2 / w1
    public var relativeFlip: Bool   // flip1 XOR flip2
    public var flipDeltaJ: Float    // (W − j1 − j2) / w1

    public init(deltaI: Float, deltaJ: Float, deltaH: Float, deltaW: Float, relativeFlip: Bool, flipDeltaJ: Float) {
        self.deltaI = deltaI; self.deltaJ = deltaJ; self.deltaH = deltaH; self.deltaW = deltaW
        self.relativeFlip = relativeFlip; self.flipDeltaJ = flipDeltaJ
    }

    /// Identical crops, no flip: the relative embedding then equals the absolute one.
    public static let identity = ViewGeometry(deltaI: 0, deltaJ: 0, deltaH: 1, deltaW: 1, relativeFlip: false, flipDeltaJ: 0)
}

/// One training batch, ready for the step. Images are normalised, NCHW.
public final class Batch: @unchecked Sendable {
    public let size: Int          // B
    public let channels: Int      // C
    public let imageSize: Int     // H = W
    public let patches: Int       // N
    public let x1: FloatBuffer    // [B, C, H, W] view 1 (online, masked)
    public let x2: FloatBuffer    // [B, C, H, W] view 2 (target)
    public var mask: [UInt8]      // [B, N], 1 = masked; exactly maskCount ones per row
    public var geometry: [ViewGeometry]   // [B]
    public var labels: [Int]      // [B], -1 when the source has no labels
    public var sourceIndex: [Int] // [B] index into the image source
    public var crops: [(view1: CropBox, view2: CropBox)]  // [B], for snapshots

    public init(size: Int, channels: Int, imageSize: Int, patches: Int) {
        self.size = size; self.channels = channels; self.imageSize = imageSize; self.patches = patches
        x1 = FloatBuffer(count: size * channels * imageSize * imageSize)
        x2 = FloatBuffer(count: size * channels * imageSize * imageSize)
        mask = [UInt8](repeating: 0, count: size * patches)
        geometry = [ViewGeometry](repeating: .identity, count: size)
        labels = [Int](repeating: -1, count: size)
        sourceIndex = [Int](repeating: 0, count: size)
        crops = [(CropBox, CropBox)](repeating: (CropBox(top: 0, left: 0, height: imageSize, width: imageSize, flipped: false),
                                                 CropBox(top: 0, left: 0, height: imageSize, width: imageSize, flipped: false)),
                                     count: size)
    }
}
