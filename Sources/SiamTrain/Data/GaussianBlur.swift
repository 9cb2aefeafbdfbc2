/// PIL's `ImageFilter.GaussianBlur(radius=σ)` (σ is the standard deviation) on 8-bit pixels, reproduced
/// bit for bit: Pillow approximates the Gaussian with 3 "extended" box blurs per axis (Gwosdek et al. 2011),
/// horizontal passes first, then vertical, each pass rounding to 8 bits; edge pixels repeat.
/// (A true Gaussian would also be faithful enough, docs/method.md §5; matching PIL costs nothing here.)
public enum GaussianBlur {
    public static let passes = 3

    /// The extended-box radius (integer part + fractional tail) whose `passes`-fold box has variance σ².
    /// Float arithmetic where Pillow uses float.
    static func boxRadius(sigma: Double, passes: Int = GaussianBlur.passes) -> Float {
        let s = Float(sigma)
        let sigma2 = s * s / Float(passes)
        let L = Float((12.0 * Double(sigma2) + 1.0).squareRoot())
        let l = Float(((Double(L) - 1.0) / 2.0).rounded(.down))
        var a = (2 * l + 1) * (l * (l + 1) - 3 * sigma2)
        a /= 6 * (sigma2 - (l + 1) * (l + 1))
        return l + a
    }

    public static func apply(_ img: inout Image8, sigma: Double) {
        let radius = boxRadius(sigma: sigma)
        guard radius != 0 else { return }
        for _ in 0..<passes { boxPass(&img, radius: radius, horizontal: true) }
        for _ in 0..<passes { boxPass(&img, radius: radius, horizontal: false) }
    }

    /// One extended box pass along rows (horizontal) or columns: the 2r+1 box with weight `ww` each plus the
    /// two next pixels with weight `fw`, in 24-bit fixed point.
    static func boxPass(_ img: inout Image8, radius: Float, horizontal: Bool) {
        let r = Int(radius)
        let ww = Int(UInt32(Float(1 << 24) / (radius * 2 + 1)))
        let fw = ((1 << 24) - (r * 2 + 1) * ww) / 2
        let W = img.width, H = img.height, C = img.channels
        let length = horizontal ? W : H, lines = horizontal ? H : W
        let step = horizontal ? C : W * C              // distance between neighbours along the line
        let lineStep = horizontal ? W * C : C          // distance between lines
        let last = length - 1
        var line = [Int](repeating: 0, count: length)
        img.pixels.withUnsafeMutableBufferPointer { p in
            for n in 0..<lines {
                for c in 0..<C {
                    let base = n * lineStep + c
                    for x in 0..<length { line[x] = Int(p[base + x * step]) }
                    for x in 0..<length {
                        var acc = 0
                        for k in (x - r)...(x + r) { acc += line[min(max(k, 0), last)] }
                        let far = line[max(x - r - 1, 0)] + line[min(x + r + 1, last)]
                        p[base + x * step] = UInt8(truncatingIfNeeded: (acc * ww + far * fw + (1 << 23)) >> 24)
                    }
                }
            }
        }
    }
}
