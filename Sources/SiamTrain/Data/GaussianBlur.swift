import Foundation

/// Gaussian blur with standard deviation σ (PIL `GaussianBlur(radius=σ)` takes σ as the std).
/// Choice, documented: a true separable Gaussian, radius ⌈3σ⌉, edge pixels repeated, Float accumulation and
/// one rounding to 8 bits at the end. PIL approximates the Gaussian with three extended box blurs, so single
/// pixel values may differ by a few levels (siameseim-spec.md §11.19: harmless).
public enum GaussianBlur {
    public static func kernel(sigma: Double) -> [Float] {
        let r = max(1, Int((3 * sigma).rounded(.up)))
        var k = (-r...r).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let sum = k.reduce(0, +)
        for t in 0..<k.count { k[t] /= sum }
        return k
    }

    public static func apply(_ img: inout Image8, sigma: Double) {
        let k = kernel(sigma: sigma), r = k.count / 2
        let W = img.width, H = img.height, C = img.channels
        var tmp = [Float](repeating: 0, count: W * H * C)
        img.pixels.withUnsafeMutableBufferPointer { p in
            tmp.withUnsafeMutableBufferPointer { t in
                // Horizontal: uint8 → float.
                for y in 0..<H {
                    for x in 0..<W {
                        for c in 0..<C {
                            var s: Float = 0
                            for d in -r...r {
                                let xx = min(max(x + d, 0), W - 1)
                                s += k[d + r] * Float(p[(y * W + xx) * C + c])
                            }
                            t[(y * W + x) * C + c] = s
                        }
                    }
                }
                // Vertical: float → uint8, rounded and clipped.
                for y in 0..<H {
                    for x in 0..<W {
                        for c in 0..<C {
                            var s: Float = 0
                            for d in -r...r {
                                let yy = min(max(y + d, 0), H - 1)
                                s += k[d + r] * t[(yy * W + x) * C + c]
                            }
                            let v = (s + 0.5).rounded(.down)
                            p[(y * W + x) * C + c] = v <= 0 ? 0 : v >= 255 ? 255 : UInt8(v)
                        }
                    }
                }
            }
        }
    }
}
