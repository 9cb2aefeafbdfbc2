import Foundation
import SiamTrain
import Tensor
import Testing
import ViT

/// probe-v1 features against a direct Double computation of docs/probe-v1.md §1 on a tiny network.
@Suite("probe-v1 features")
struct ProbeFeatureTests {
    /// 8×8 grey images, patch 4 → N = 4 tokens + cls; D = 8, 2 heads, 2 blocks, MLP 16.
    static let shape = NetworkShape(model: ModelConfig(patchSize: 4, dim: 8, depth: 2, heads: 2, mlpRatio: 2,
                                                       projectorDepth: 1, decoderDepth: 1, decoderHeads: 2),
                                    imageSize: 8, channels: 1, maskCount: 1)

    /// A network whose every trainable parameter and patch-embedding weight is random (LN gains and biases
    /// included), so that no term of the forward hides behind an identity init.
    static func scrambledNetwork(seed: UInt64) -> SiameseNetwork {
        let net = SiameseNetwork(shape: shape, seed: seed)
        var rng = SeededRNG(seed: seed + 100)
        for i in 0..<net.params.count { net.params.pointer[i] = Float(rng.uniform(-0.5, 0.5)) }
        for name in ["patch_embed.proj.weight", "patch_embed.proj.bias"] {
            let v = net.fixed[name]
            for i in 0..<v.count { v.pointer[i] = Float(rng.uniform(-0.5, 0.5)) }
        }
        return net
    }

    static func images(count: Int, seed: UInt64) -> [Float] {
        var rng = SeededRNG(seed: seed)
        return (0..<(count * shape.imageSize * shape.imageSize)).map { _ in Float(rng.uniform(-2, 2)) }
    }

    @Test func matchesDoubleReferenceAcrossChunks() throws {
        let net = Self.scrambledNetwork(seed: 3)
        let n = 5, D = Self.shape.dim
        let x = Self.images(count: n, seed: 7)
        let pe = net.fixed["pos_embed"]
        #expect((0..<D).allSatisfy { pe.pointer[$0] == 0 }, "pos_embed row 0 must be zero")
        // chunk 2 → chunks of 2, 2, 1: also exercises the partial-chunk workspace.
        for chunk in [2, 500] {
            let extractor = FeatureExtractor(network: net, chunk: chunk)
            let out = FloatBuffer(count: n * D)
            x.withUnsafeBufferPointer { extractor.features(out: out.pointer, images: $0.baseAddress!, count: n) }
            for i in 0..<n {
                let ref = ReferenceViT(net).features(image: Array(x[(i * 64)..<((i + 1) * 64)]))
                for d in 0..<D {
                    let got = Double(out[i * D + d])
                    #expect(abs(got - ref[d]) <= 1e-4 * max(1, abs(ref[d])), "chunk \(chunk) image \(i) dim \(d): \(got) vs \(ref[d])")
                }
            }
        }
    }

    /// The extractor reads the live arenas: a changed block weight changes the features (train --probe relies on it).
    @Test func seesTheCurrentWeights() {
        let net = Self.scrambledNetwork(seed: 4)
        let x = Self.images(count: 2, seed: 8)
        let extractor = FeatureExtractor(network: net, chunk: 2)
        let a = FloatBuffer(count: 16), b = FloatBuffer(count: 16)
        x.withUnsafeBufferPointer { extractor.features(out: a.pointer, images: $0.baseAddress!, count: 2) }
        net.params["blocks.1.mlp.fc2.bias"].pointer[0] += 1
        x.withUnsafeBufferPointer { extractor.features(out: b.pointer, images: $0.baseAddress!, count: 2) }
        // fc2.bias[0] of the last block adds exactly 1 to dim 0 of every token, hence of their mean.
        #expect(abs((b[0] - a[0]) - 1) < 1e-5 && abs((b[8] - a[8]) - 1) < 1e-5)
        #expect((1..<8).allSatisfy { abs(b[$0] - a[$0]) < 1e-6 })
    }
}

/// docs/probe-v1.md §1 written out in Double, straight from the state dict: no kernels, no BlockStack.
struct ReferenceViT {
    let net: SiameseNetwork
    init(_ net: SiameseNetwork) { self.net = net }

    func t(_ name: String) -> [Double] {
        let v = net.tensor(named: name)!
        return (0..<v.count).map { Double(v.pointer[$0]) }
    }

    func features(image: [Float]) -> [Double] {
        let s = net.shape, P = s.model.patchSize, G = s.grid, D = s.dim
        let w = t("patch_embed.proj.weight"), bias = t("patch_embed.proj.bias"), pe = t("pos_embed"), cls = t("cls_token")
        var x: [[Double]] = [(0..<D).map { cls[$0] + pe[$0] }]
        for r in 0..<G { for c in 0..<G {
            let n = r * G + c
            // conv [D, 1, P, P] at the patch (row r, column c).
            x.append((0..<D).map { d in
                var acc = bias[d]
                for kh in 0..<P { for kw in 0..<P {
                    acc += w[d * P * P + kh * P + kw] * Double(image[(r * P + kh) * s.imageSize + c * P + kw])
                } }
                return acc + pe[(1 + n) * D + d]
            })
        } }
        for i in 0..<s.model.depth { x = block(x, "blocks.\(i)") }
        return (0..<D).map { d in x[1...].reduce(0) { $0 + $1[d] } / Double(x.count - 1) }
    }

    func block(_ x: [[Double]], _ p: String) -> [[Double]] {
        let H = net.shape.model.heads, D = net.shape.dim, hd = D / H
        let qkv = x.map { linear(layerNorm($0, p + ".norm1"), p + ".attn.qkv") }
        var attn = [[Double]](repeating: [Double](repeating: 0, count: D), count: x.count)
        for h in 0..<H {
            for i in 0..<x.count {
                let scores = (0..<x.count).map { j in
                    (0..<hd).reduce(0.0) { $0 + qkv[i][h * hd + $1] * qkv[j][D + h * hd + $1] } / Double(hd).squareRoot()
                }
                let m = scores.max()!, e = scores.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
                for j in 0..<x.count { for c in 0..<hd { attn[i][h * hd + c] += e[j] / z * qkv[j][2 * D + h * hd + c] } }
            }
        }
        let y = zip(x, attn).map { row, a in zip(row, linear(a, p + ".attn.proj")).map { $0 + $1 } }
        return y.map { row in
            let hidden = linear(layerNorm(row, p + ".norm2"), p + ".mlp.fc1").map { $0 * 0.5 * (1 + erf($0 / 2.0.squareRoot())) }
            return zip(row, linear(hidden, p + ".mlp.fc2")).map { $0 + $1 }
        }
    }

    /// PyTorch nn.Linear: W [out, in].
    func linear(_ v: [Double], _ p: String) -> [Double] {
        let w = t(p + ".weight"), b = t(p + ".bias"), n = v.count
        return (0..<b.count).map { o in (0..<n).reduce(b[o]) { $0 + w[o * n + $1] * v[$1] } }
    }

    /// LayerNorm with eps 1e-6 (the backbone's), biased variance.
    func layerNorm(_ v: [Double], _ p: String) -> [Double] {
        let g = t(p + ".weight"), b = t(p + ".bias"), n = Double(v.count)
        let mean = v.reduce(0, +) / n, variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return v.indices.map { (v[$0] - mean) / (variance + 1e-6).squareRoot() * g[$0] + b[$0] }
    }
}

/// Image i: `width`×`height`, RGB; left half (x < width/2) dark, right half bright; label i % 2.
struct HalvesSource: ImageSource {
    let height: Int
    let width: Int
    var count: Int { 2 }
    var channels: Int { 3 }
    var name: String { "halves" }
    func label(_ index: Int) -> Int? { index % 2 }
    func image(_ index: Int) -> Image8 {
        var img = Image8(width: width, height: height, channels: 3)
        for y in 0..<height { for x in 0..<width { for c in 0..<3 { img[y, x, c] = x < width / 2 ? 40 : 200 } } }
        return img
    }
}

/// ProbeImages' geometry: the preset's size passes through untouched; other sizes are resized on the shorter
/// side and centre-cropped; channels follow the preset.
@Suite("probe-v1 images")
struct ProbeImagesTests {
    static let data = DataConfig(source: "synthetic", path: nil, imageSize: 28, channels: 1, mean: [0.5], std: [0.25])

    @Test func wideImageIsResizedAndCentreCropped() throws {
        let images = try ProbeImages(source: HalvesSource(height: 30, width: 60), data: Self.data)
        let img = images.image(0)
        #expect(img.width == 28 && img.height == 28 && img.channels == 1)
        // 60×30 → 56×28 → centre 28 columns: the dark/bright edge stays in the middle; grey 40/200 → luma 40/200.
        #expect(img[14, 0, 0] == 40 && img[14, 27, 0] == 200)
        #expect((0..<28).allSatisfy { img[$0, 5, 0] == 40 && img[$0, 22, 0] == 200 })
        let out = FloatBuffer(count: 2 * 784)
        images.normalised(into: out.pointer, start: 0, count: 2)
        #expect(abs(out[14 * 28] - (40 / 255 - 0.5) / 0.25) < 1e-5)
        #expect(try images.labels() == [0, 1])
    }

    @Test func presetSizedImagePassesThrough() throws {
        let src = HalvesSource(height: 28, width: 28)
        let images = try ProbeImages(source: src, data: Self.data)
        #expect(images.image(1) == src.image(1).converted(toChannels: 1))
        let px = try images.pixelFeatures()
        #expect(px.dim == 784 && px.count == 2 && abs(px.features[27] - 200 / 255) < 1e-6)
    }
}
