/// An 8-bit image, row-major HWC (channel fastest). Value type: cheap to pass, copy-on-write pixels.
public struct Image8: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]   // [height][width][channels]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels,
                     "Image8: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: fill, count: width * height * channels))
    }

    public subscript(y: Int, x: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}

/// Which part of a labelled dataset to read.
public enum DataSplit: String, Sendable, CaseIterable {
    case train, test
}

/// Index → pixels (and a label when the source has one). Implementations are immutable after init,
/// so one source can be shared by the loader thread and the probe.
public protocol ImageSource: Sendable {
    var count: Int { get }
    var channels: Int { get }
    /// Nominal size; an image folder may hold images of other sizes (each `image(_:)` carries its own).
    var height: Int { get }
    var width: Int { get }
    func image(_ index: Int) -> Image8
    func label(_ index: Int) -> Int?
    var name: String { get }
}

extension Image8 {
    /// The same picture with `target` channels: 1 → 3 replicates; 3/4 → 1 uses PIL's "L" weights
    /// (ITU-R 601-2 luma, fixed point with rounding); 4 → 3 drops alpha.
    public func converted(toChannels target: Int) -> Image8 {
        if target == channels { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * target)
        for p in 0..<n {
            let base = p * channels
            if channels == 1 {
                for c in 0..<target { out[p * target + c] = pixels[base] }
            } else if target == 1 {
                out[p] = Image8.luma(pixels[base], pixels[base + 1], pixels[base + 2])
            } else {
                for c in 0..<target { out[p * target + c] = pixels[base + min(c, channels - 1)] }
            }
        }
        return Image8(width: width, height: height, channels: target, pixels: out)
    }

    /// PIL's RGB → L: (R·19595 + G·38470 + B·7471 + 0x8000) >> 16.
    @inline(__always)
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (Int(r) * 19595 + Int(g) * 38470 + Int(b) * 7471 + 0x8000) >> 16)
    }
}
