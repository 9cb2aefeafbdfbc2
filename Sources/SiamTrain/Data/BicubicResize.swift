/// PIL's `Image.resize(size, BICUBIC)` on 8-bit images (Pillow `libImaging/Resample.c`): a separable
/// a = −0.5 cubic whose support widens by the scale when downscaling (antialiasing), weights normalised and
/// turned into 22-bit fixed point, horizontal pass first with an 8-bit intermediate, then vertical.
public enum BicubicResize {
    static let precisionBits = 32 - 8 - 2
    static let support = 2.0

    @inline(__always)
    static func filter(_ x0: Double) -> Double {
        let a = -0.5, x = abs(x0)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Per output index: first input index, tap count, and `ksize` fixed-point weights.
    struct Coefficients {
        var ksize: Int
        var bounds: [(start: Int, taps: Int)]
        var weights: [Int32]
    }

    static func coefficients(inSize: Int, outSize: Int) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let sup = support * filterScale
        let ksize = Int(sup.rounded(.up)) * 2 + 1
        var bounds = [(start: Int, taps: Int)]()
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        var k = [Double](repeating: 0, count: ksize)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1 / filterScale
            let xmin = max(Int(center - sup + 0.5), 0)           // C (int) cast truncates toward zero
            let xmax = min(Int(center + sup + 0.5), inSize) - xmin
            var ww = 0.0
            for x in 0..<xmax { k[x] = filter((Double(x + xmin) - center + 0.5) * ss); ww += k[x] }
            for x in 0..<xmax {
                let v = ww != 0 ? k[x] / ww : k[x]
                let scaled = v * Double(1 << precisionBits)
                weights[xx * ksize + x] = Int32(v < 0 ? scaled - 0.5 : scaled + 0.5)
            }
            bounds.append((xmin, max(xmax, 0)))
        }
        return Coefficients(ksize: ksize, bounds: bounds, weights: weights)
    }

    @inline(__always)
    static func clip8(_ v: Int32) -> UInt8 {
        if v >= (Int32(1) << precisionBits) << 8 { return 255 }
        if v <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: v >> precisionBits)
    }

    public static func resize(_ image: Image8, width outW: Int, height outH: Int) -> Image8 {
        var img = image
        if outW != img.width { img = pass(img, outSize: outW, horizontal: true) }
        if outH != img.height { img = pass(img, outSize: outH, horizontal: false) }
        return img
    }

    /// One separable pass along x (horizontal) or y.
    static func pass(_ image: Image8, outSize: Int, horizontal: Bool) -> Image8 {
        let C = image.channels, inW = image.width, inH = image.height
        let outW = horizontal ? outSize : inW, outH = horizontal ? inH : outSize
        let co = coefficients(inSize: horizontal ? inW : inH, outSize: outSize)
        let half = Int32(1) << (precisionBits - 1)
        var out = [UInt8](repeating: 0, count: outW * outH * C)
        // Input step between taps: next pixel (horizontal) or next row (vertical).
        let tapStride = horizontal ? C : inW * C
        image.pixels.withUnsafeBufferPointer { src in
            co.weights.withUnsafeBufferPointer { kk in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<outH {
                        for x in 0..<outW {
                            let o = horizontal ? x : y
                            let (start, taps) = co.bounds[o]
                            let base = horizontal ? (y * inW + start) * C : (start * inW + x) * C
                            let k = o * co.ksize
                            for c in 0..<C {
                                var ss = half
                                for t in 0..<taps { ss &+= Int32(src[base + t * tapStride + c]) &* kk[k + t] }
                                dst[(y * outW + x) * C + c] = clip8(ss)
                            }
                        }
                    }
                }
            }
        }
        return Image8(width: outW, height: outH, channels: C, pixels: out)
    }
}
