import Foundation
import Testing
@testable import SiamTrain

/// Our 8-bit ops against Pillow's own outputs (Tests/Fixtures/data/make_pil_fixtures.py, pillow 13.0.0).
@Suite("Augment ops vs PIL")
struct AugmentPILTests {
    struct Case: Decodable {
        let kind: String
        let in_h: Int, in_w: Int, channels: Int, out_h: Int, out_w: Int
        let input: [UInt8], output: [UInt8]
        let factor: Double?
    }
    struct File: Decodable { let pillow: String; let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: DataFixtures.root + "/pil_reference.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    func run(_ c: Case) -> Image8 {
        var img = Image8(width: c.in_w, height: c.in_h, channels: c.channels, pixels: c.input)
        switch c.kind {
        case "resize": img = BicubicResize.resize(img, width: c.out_w, height: c.out_h)
        case "brightness": ColorOps.brightness(&img, c.factor!)
        case "contrast": ColorOps.contrast(&img, c.factor!)
        case "saturation": ColorOps.saturation(&img, c.factor!)
        case "hue": ColorOps.hue(&img, c.factor!)
        case "grayscale": ColorOps.grayscale(&img)
        case "solarize": ColorOps.solarize(&img)
        case "blur": GaussianBlur.apply(&img, sigma: c.factor!)
        default: Issue.record("unknown fixture kind \(c.kind)")
        }
        return img
    }

    @Test(arguments: ["resize", "brightness", "contrast", "saturation", "hue", "grayscale", "solarize", "blur"])
    func matchesPillowExactly(kind: String) {
        let selected = Self.cases.filter { $0.kind == kind }
        #expect(!selected.isEmpty)
        for c in selected {
            let out = run(c)
            #expect(out.width == c.out_w && out.height == c.out_h && out.channels == c.channels)
            let diffs = zip(out.pixels, c.output).filter { $0 != $1 }.count
            let worst = zip(out.pixels, c.output).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(diffs == 0, "\(kind) \(c.in_w)x\(c.in_h)x\(c.channels) → \(c.out_w)x\(c.out_h) factor \(c.factor ?? 0): \(diffs) of \(c.output.count) values differ, worst by \(worst)")
        }
    }

    @Test func oneChannelIdentities() {
        let grey = SyntheticShapes(seed: 9, count: 8, size: 20, channels: 1)
        for k in 0..<8 {
            let original = grey.image(k)
            var img = original
            ColorOps.saturation(&img, 0.8); ColorOps.saturation(&img, 1.2)
            ColorOps.hue(&img, 0.1); ColorOps.hue(&img, -0.07)
            ColorOps.grayscale(&img)
            #expect(img == original)
            // …while brightness and contrast do change one-channel images.
            var b = original; ColorOps.brightness(&b, 0.7)
            var c = original; ColorOps.contrast(&c, 0.6)
            #expect(b != original && c != original)
        }
    }

    @Test func gaussianBlurBasics() {
        // The three box passes together have variance σ²: check it through the impulse response.
        for sigma in [0.5, 1.0, 2.0] {
            var dot = Image8(width: 41, height: 1, channels: 1, fill: 0)
            dot[0, 20, 0] = 255
            var wide = dot
            GaussianBlur.apply(&wide, sigma: sigma)
            let mass = wide.pixels.reduce(0) { $0 + Double($1) }
            let variance = wide.pixels.enumerated().reduce(0) { $0 + Double($1.element) * pow(Double($1.offset - 20), 2) } / mass
            #expect(abs(mass - 255) < 8, "σ \(sigma): mass \(mass)")
            #expect(abs(variance - sigma * sigma) < 0.15 * sigma * sigma + 0.1, "σ \(sigma): variance \(variance)")
            #expect(wide[0, 19, 0] == wide[0, 21, 0])
        }
        var flat = Image8(width: 9, height: 7, channels: 3, fill: 137)
        GaussianBlur.apply(&flat, sigma: 2.0)
        #expect(flat.pixels.allSatisfy { $0 == 137 })
    }

    @Test func solarizeThreshold() {
        var img = Image8(width: 4, height: 1, channels: 1, pixels: [0, 127, 128, 255])
        ColorOps.solarize(&img)
        #expect(img.pixels == [0, 127, 127, 0])
    }
}
