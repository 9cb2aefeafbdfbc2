import Tensor

/// The probe's view of a data source: every image at the preset's geometry, with no augmentation.
///
/// Geometry: an image already `imageSize`×`imageSize` (Fashion-MNIST at 28, CIFAR-10 at 32) is used as it is.
/// Any other size is resized so that its SHORTER side is `imageSize` (PIL-style bicubic, antialiased when it
/// shrinks, as the training crops are) and then centre-cropped to a square: the usual Resize + CenterCrop
/// evaluation transform, which keeps the aspect ratio and never pads. Channels are converted to the preset's
/// (grey → replicated, colour → PIL "L" luma).
public struct ProbeImages {
    public let source: ImageSource
    public let data: DataConfig
    /// How many images the probe uses (the first `count` of the source).
    public let count: Int

    public init(source: ImageSource, data: DataConfig, limit: Int? = nil) throws(ProbeError) {
        guard data.imageSize > 0, data.channels > 0, data.mean.count == data.channels,
              data.std.count == data.channels, data.std.allSatisfy({ $0 > 0 }) else {
            throw .badParameter("data config needs image_size > 0 and \(data.channels) mean/std values with std > 0")
        }
        let n = min(source.count, limit ?? Int.max)
        guard n > 0 else { throw .emptySet(source.name) }
        self.source = source; self.data = data; count = n
        _ = try labels()  // fail early on an unlabelled source
    }

    /// Every label; the probe needs one per image.
    public func labels() throws(ProbeError) -> [Int] {
        var out = [Int](repeating: 0, count: count)
        for i in 0..<count {
            guard let y = source.label(i) else { throw .unlabelled(source: source.name, index: i) }
            out[i] = y
        }
        return out
    }

    /// Image `i` at the preset's size and channel count.
    public func image(_ i: Int) -> Image8 {
        let s = data.imageSize
        var img = source.image(i).converted(toChannels: data.channels)
        if img.width == s && img.height == s { return img }
        let scale = Double(s) / Double(min(img.width, img.height))
        let w = max(s, Int((Double(img.width) * scale).rounded())), h = max(s, Int((Double(img.height) * scale).rounded()))
        img = BicubicResize.resize(img, width: w, height: h)
        return Self.centreCrop(img, size: s)
    }

    /// Images start..<start+n, ToTensor + Normalize with the preset's mean/std, NCHW into `out`.
    public func normalised(into out: FloatPtr, start: Int, count n: Int) {
        let plane = data.channels * data.imageSize * data.imageSize
        for k in 0..<n {
            TwoViewAugmenter.normalize(out + k * plane, image(start + k), mean: data.mean, std: data.std)
        }
    }

    /// Raw-pixel features: pixel / 255 in CHW order (the scaling that reproduces the reference 84.59 kNN, docs/probe-v1.md §1).
    public func pixelFeatures() throws(ProbeError) -> FeatureSet {
        let plane = data.channels * data.imageSize * data.imageSize
        let buf = FloatBuffer(count: count * plane)
        for i in 0..<count {
            // mean 0, std 1 turns Normalize into plain /255.
            TwoViewAugmenter.normalize(buf.pointer + i * plane, image(i), mean: [Float](repeating: 0, count: data.channels),
                                       std: [Float](repeating: 1, count: data.channels))
        }
        return try FeatureSet(features: buf, dim: plane, labels: labels())
    }

    /// The centred size×size window (offsets rounded as torchvision's CenterCrop: round((h − s) / 2)).
    static func centreCrop(_ img: Image8, size s: Int) -> Image8 {
        let top = Int((Double(img.height - s) / 2).rounded()), left = Int((Double(img.width - s) / 2).rounded())
        let C = img.channels
        var px = [UInt8](repeating: 0, count: s * s * C)
        for y in 0..<s {
            let src = ((top + y) * img.width + left) * C
            for k in 0..<(s * C) { px[y * s * C + k] = img.pixels[src + k] }
        }
        return Image8(width: s, height: s, channels: C, pixels: px)
    }
}

extension FeatureExtractor {
    /// Encoder features of the first `images.count` images of a source, extracted chunk by chunk.
    /// `cancelled` is polled between chunks (`ProbeError.interrupted`).
    public func features(of images: ProbeImages, cancelled: () -> Bool = { false }) throws(ProbeError) -> FeatureSet {
        guard images.data.imageSize == shape.imageSize, images.data.channels == shape.channels else {
            throw .badParameter("images are \(images.data.channels)×\(images.data.imageSize)² but the network expects \(shape.channels)×\(shape.imageSize)²")
        }
        let out = FloatBuffer(count: images.count * dim)
        let batch = FloatBuffer(count: min(chunk, images.count) * imageFloats)
        var start = 0
        while start < images.count {
            if cancelled() { throw .interrupted(phase: "feature extraction") }
            let n = min(chunk, images.count - start)
            images.normalised(into: batch.pointer, start: start, count: n)
            features(out: out.pointer + start * dim, images: batch.pointer, count: n)
            start += n
        }
        return try FeatureSet(features: out, dim: dim, labels: images.labels())
    }
}
