import Tensor

/// Seeded shapes on textured backgrounds, with the shape as the label. For tests and CI only: the classes
/// are separable by shortcuts, so probe numbers on it mean little. Each image is drawn on demand from
/// (seed, index), so the source costs no memory and is the same on every machine.
public struct SyntheticShapes: ImageSource {
    public static let classNames = ["disc", "square", "triangle", "ring", "cross", "stripes", "checker", "diamond"]
    public let seed: UInt64
    public let count: Int
    public let size: Int
    public let channels: Int
    public var height: Int { size }
    public var width: Int { size }
    public var name: String { "synthetic(seed \(seed))" }

    public init(seed: UInt64, count: Int, size: Int, channels: Int) {
        precondition(count > 0 && size > 0 && (channels == 1 || channels == 3), "SyntheticShapes: bad arguments")
        self.seed = seed; self.count = count; self.size = size; self.channels = channels
    }

    public func label(_ index: Int) -> Int? { index % SyntheticShapes.classNames.count }

    public func image(_ index: Int) -> Image8 {
        var rng = SeededRNG(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index))
        let shape = index % SyntheticShapes.classNames.count
        let s = Double(size)
        let background = (0..<3).map { _ in rng.uniform(0, 120) }
        let gradient = (0..<3).map { _ in rng.uniform(-60, 60) }
        let colour = (0..<3).map { _ in rng.uniform(140, 255) }
        let cy = rng.uniform(0.3, 0.7) * s, cx = rng.uniform(0.3, 0.7) * s
        let r = rng.uniform(0.18, 0.35) * s
        let noise = rng.uniform(0, 20)
        var img = Image8(width: size, height: size, channels: channels)
        for y in 0..<size {
            for x in 0..<size {
                let dy = Double(y) + 0.5 - cy, dx = Double(x) + 0.5 - cx
                let inside = SyntheticShapes.inside(shape, dy: dy, dx: dx, r: r)
                let jitter = rng.uniform(-noise, noise)
                var rgb = [Double](repeating: 0, count: 3)
                for c in 0..<3 {
                    let bg = background[c] + gradient[c] * Double(y) / s
                    rgb[c] = max(0, min(255, (inside ? colour[c] : bg) + jitter))
                }
                if channels == 1 {
                    img[y, x, 0] = UInt8((0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]).rounded())
                } else {
                    for c in 0..<3 { img[y, x, c] = UInt8(rgb[c].rounded()) }
                }
            }
        }
        return img
    }

    static func inside(_ shape: Int, dy: Double, dx: Double, r: Double) -> Bool {
        let ay = abs(dy), ax = abs(dx), d2 = dy * dy + dx * dx
        switch shape {
        case 0: return d2 <= r * r
        case 1: return ay <= r * 0.8 && ax <= r * 0.8
        case 2: return dy <= r * 0.7 && dy >= -r && ax <= (dy + r) * 0.6
        case 3: return d2 <= r * r && d2 >= 0.36 * r * r
        case 4: return (ay <= r * 0.3 && ax <= r) || (ax <= r * 0.3 && ay <= r)
        case 5: return ay <= r && ax <= r && Int((dx + 4 * r) / (r * 0.5)) % 2 == 0
        case 6: return ay <= r && ax <= r && (Int((dx + 4 * r) / (r * 0.5)) + Int((dy + 4 * r) / (r * 0.5))) % 2 == 0
        default: return ay + ax <= r
        }
    }
}
