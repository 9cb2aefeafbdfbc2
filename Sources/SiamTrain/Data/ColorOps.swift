/// torchvision's colour ops on PIL images, re-done on 8-bit HWC pixels with PIL's arithmetic:
/// ImageEnhance = `Image.blend(degenerate, image, factor)` in Float, truncated to 8 bits and clipped;
/// hue = torchvision's HSV round trip through PIL's 8-bit HSV. On one channel, saturation, hue and
/// grayscale are identities (PIL "L" mode; torchvision returns the image unchanged).
public enum ColorOps {
    /// PIL `ImagingBlend`: out = in1 + α·(in2 − in1) in Float; truncation toward zero, clipped to [0, 255].
    @inline(__always)
    static func blend(_ in1: UInt8, _ in2: UInt8, _ alpha: Float) -> UInt8 {
        let t = Float(Int(in1)) + alpha * Float(Int(in2) - Int(in1))
        if t <= 0 { return 0 }
        if t >= 255 { return 255 }
        return UInt8(t)
    }

    public static func brightness(_ img: inout Image8, _ factor: Double) {
        let f = Float(factor)
        mapInPlace(&img) { v in blend(0, v, f) }
    }

    /// Blends with the rounded mean of the grayscale ("L") image.
    public static func contrast(_ img: inout Image8, _ factor: Double) {
        let grey = luma(img)
        var sum = 0
        for v in grey { sum += Int(v) }
        let mean = UInt8(Int(Double(sum) / Double(max(grey.count, 1)) + 0.5))
        let f = Float(factor)
        mapInPlace(&img) { v in blend(mean, v, f) }
    }

    public static func saturation(_ img: inout Image8, _ factor: Double) {
        guard img.channels >= 3 else { return }
        let grey = luma(img), f = Float(factor), C = img.channels
        img.pixels.withUnsafeMutableBufferPointer { p in
            for k in 0..<grey.count { for c in 0..<3 { p[k * C + c] = blend(grey[k], p[k * C + c], f) } }
        }
    }

    /// Hue shift by `factor` ∈ [−0.5, 0.5] of a turn: PIL RGB→HSV, H += uint8(factor·255) (wrapping), HSV→RGB.
    public static func hue(_ img: inout Image8, _ factor: Double) {
        guard img.channels >= 3 else { return }
        let shift = UInt8(truncatingIfNeeded: Int(factor * 255))
        let C = img.channels
        img.pixels.withUnsafeMutableBufferPointer { p in
            for k in 0..<(img.width * img.height) {
                let o = k * C
                var (h, s, v) = HSV.fromRGB(p[o], p[o + 1], p[o + 2])
                h = h &+ shift
                (p[o], p[o + 1], p[o + 2]) = HSV.toRGB(h, s, v)
            }
        }
    }

    /// RandomGrayscale keeping the channel count: PIL convert("L"), replicated.
    public static func grayscale(_ img: inout Image8) {
        guard img.channels >= 3 else { return }
        let grey = luma(img), C = img.channels
        img.pixels.withUnsafeMutableBufferPointer { p in
            for k in 0..<grey.count { for c in 0..<3 { p[k * C + c] = grey[k] } }
        }
    }

    /// PIL `ImageOps.solarize(threshold 128)`: v ≥ 128 → 255 − v.
    public static func solarize(_ img: inout Image8, threshold: UInt8 = 128) {
        mapInPlace(&img) { v in v >= threshold ? 255 - v : v }
    }

    /// PIL convert("L") per pixel (the image itself when it has one channel).
    static func luma(_ img: Image8) -> [UInt8] {
        if img.channels == 1 { return img.pixels }
        let C = img.channels
        return img.pixels.withUnsafeBufferPointer { p in
            (0..<(img.width * img.height)).map { k in Image8.luma(p[k * C], p[k * C + 1], p[k * C + 2]) }
        }
    }

    @inline(__always)
    static func mapInPlace(_ img: inout Image8, _ f: (UInt8) -> UInt8) {
        img.pixels.withUnsafeMutableBufferPointer { p in
            for k in 0..<p.count { p[k] = f(p[k]) }
        }
    }
}

/// PIL's 8-bit HSV conversions (`libImaging/Convert.c` rgb2hsv / hsv2rgb).
enum HSV {
    static func fromRGB(_ r8: UInt8, _ g8: UInt8, _ b8: UInt8) -> (UInt8, UInt8, UInt8) {
        let r = Int(r8), g = Int(g8), b = Int(b8)
        let maxc = max(r, g, b), minc = min(r, g, b)
        if maxc == minc { return (0, 0, UInt8(maxc)) }
        let cr = Float(maxc - minc)
        let s = cr / Float(maxc)
        let rc = Float(maxc - r) / cr, gc = Float(maxc - g) / cr, bc = Float(maxc - b) / cr
        var h: Float
        if r == maxc { h = bc - gc } else if g == maxc { h = 2 + rc - bc } else { h = 4 + gc - rc }
        h = Float(fmodPositive(Double(h) / 6 + 1))
        return (clip8(Int(h * 255)), clip8(Int(s * 255)), UInt8(maxc))
    }

    static func toRGB(_ h: UInt8, _ s: UInt8, _ v: UInt8) -> (UInt8, UInt8, UInt8) {
        if s == 0 { return (v, v, v) }
        let hf = Float(h) * 6 / 255
        let i = Int(hf.rounded(.down))
        let f = hf - Float(i)
        let fs = Float(s) / 255, vf = Float(v)
        let p = clip8(Int((vf * (1 - fs)).rounded())), q = clip8(Int((vf * (1 - fs * f)).rounded()))
        let t = clip8(Int((vf * (1 - fs * (1 - f))).rounded()))
        switch i % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// C `fmod(x, 1.0)` for x ≥ 0 (the only case rgb2hsv produces after the +1).
    static func fmodPositive(_ x: Double) -> Double { x - x.rounded(.towardZero) }

    static func clip8(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }
}
