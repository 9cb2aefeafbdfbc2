import Foundation

/// The mask panel's picture of one sample at one step: both views, the source image, the mask and the crops.
/// Pixels are 8-bit, row-major, channels interleaved (HWC).
public struct SnapshotRecord: Sendable, Equatable {
    public var step: Int
    public var viewWidth: Int, viewHeight: Int, viewChannels: Int
    public var view1: [UInt8], view2: [UInt8]
    public var sourceWidth: Int, sourceHeight: Int, sourceChannels: Int
    public var source: [UInt8]
    public var gridWidth: Int, gridHeight: Int
    /// gridWidth·gridHeight entries, row-major, 1 = masked (as `Batch.mask`). Stored packed, 8 per byte.
    public var mask: [UInt8]
    public var crop1: CropBox, crop2: CropBox
    public var sourceId: Int
    public var wallTime: Double

    public init(step: Int, viewWidth: Int, viewHeight: Int, viewChannels: Int, view1: [UInt8], view2: [UInt8],
                sourceWidth: Int, sourceHeight: Int, sourceChannels: Int, source: [UInt8],
                gridWidth: Int, gridHeight: Int, mask: [UInt8], crop1: CropBox, crop2: CropBox,
                sourceId: Int, wallTime: Double) {
        self.step = step; self.viewWidth = viewWidth; self.viewHeight = viewHeight; self.viewChannels = viewChannels
        self.view1 = view1; self.view2 = view2; self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
        self.sourceChannels = sourceChannels; self.source = source; self.gridWidth = gridWidth
        self.gridHeight = gridHeight; self.mask = mask; self.crop1 = crop1; self.crop2 = crop2
        self.sourceId = sourceId; self.wallTime = wallTime
    }

    /// Sizes agree with the pixel and mask arrays.
    public var isConsistent: Bool {
        view1.count == viewWidth * viewHeight * viewChannels && view2.count == view1.count
            && source.count == sourceWidth * sourceHeight * sourceChannels && mask.count == gridWidth * gridHeight
    }
}

/// A crop box on the source image, for the mask panel and snapshots.
public struct CropBox: Sendable, Equatable, Codable {
    public var top: Int, left: Int, height: Int, width: Int
    public var flipped: Bool
    public init(top: Int, left: Int, height: Int, width: Int, flipped: Bool) {
        self.top = top; self.left = left; self.height = height; self.width = width; self.flipped = flipped
    }
}
