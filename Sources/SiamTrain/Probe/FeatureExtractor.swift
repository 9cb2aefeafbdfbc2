import Tensor
import ViT

/// probe-v1's features (docs/probe-v1.md §1): the ONLINE backbone on the clean, normalised image, with no mask.
/// Tokens: [cls_token + pos_embed[0]; patch_embed(x) + pos_embed[1...]] (pos_embed row 0 is zero), then every
/// `blocks.*` block (LayerNorm eps 1e-6), no final norm, then the mean of the N patch-token outputs (cls
/// excluded) → [D] per image.
///
/// Works in chunks of `chunk` images through a forward-only `BlockStack` (no gradients, no saved activations)
/// that reads the network's live `params` and `fixed` arenas, so it sees the current weights of a training run.
public final class FeatureExtractor {
    public static let defaultChunk = 500
    public let network: SiameseNetwork
    public let shape: NetworkShape
    public let chunk: Int
    /// One workspace per batch size used (the full chunk, and the last partial chunk of a split).
    private var workspaces: [Int: ChunkWorkspace] = [:]

    public init(network: SiameseNetwork, chunk: Int = FeatureExtractor.defaultChunk) {
        self.network = network
        shape = network.shape
        self.chunk = max(1, chunk)
    }

    /// Feature width D.
    public var dim: Int { shape.dim }
    /// Floats per normalised input image (C·H·W).
    public var imageFloats: Int { shape.channels * shape.imageSize * shape.imageSize }

    /// Features of `count` normalised images (NCHW, H = W = imageSize, C = channels) into `out` [count, D].
    public func features(out: FloatPtr, images: ConstFloatPtr, count: Int) {
        var start = 0
        while start < count {
            let b = min(chunk, count - start)
            forward(out: out + start * dim, images: images + start * imageFloats, batch: b)
            start += b
        }
    }

    /// One chunk of `batch` images.
    func forward(out: FloatPtr, images: ConstFloatPtr, batch B: Int) {
        let w = workspace(batch: B)
        let N = shape.patches, D = shape.dim, T = N + 1
        PatchEmbed.im2col(out: w.cols.pointer, images: images, batch: B, channels: shape.channels,
                          height: shape.imageSize, width: shape.imageSize, patch: shape.model.patchSize)
        Linear.forward(out: w.tokens.pointer, input: w.cols.pointer,
                       weight: network.fixed["patch_embed.proj.weight"].pointer,
                       bias: network.fixed["patch_embed.proj.bias"].pointer, rows: B * N,
                       inFeatures: shape.patchDim, outFeatures: D)
        let cls = network.params["cls_token"].pointer, pe = network.fixed["pos_embed"].pointer
        let x0 = w.stack.input
        for b in 0..<B {
            let sample = x0 + b * T * D
            Add.forward(out: sample, a: cls, b: pe, count: D)
            Add.forward(out: sample + D, a: w.tokens.pointer + b * N * D, b: pe + D, count: N * D)
        }
        let h = w.stack.forward()
        MeanTokens.forward(out: out, input: h, batch: B, tokens: T, dim: D, skip: 1)
    }

    private func workspace(batch: Int) -> ChunkWorkspace {
        if let w = workspaces[batch] { return w }
        // Keep at most the full-chunk workspace plus one partial one.
        if workspaces.count >= 2 { workspaces = workspaces.filter { $0.key == chunk } }
        let w = ChunkWorkspace(network: network, batch: batch)
        workspaces[batch] = w
        return w
    }
}

/// Buffers of one chunk size: flattened patches, patch tokens, and the forward-only backbone stack.
final class ChunkWorkspace {
    let cols: FloatBuffer
    let tokens: FloatBuffer
    let stack: BlockStack

    init(network: SiameseNetwork, batch B: Int) {
        let s = network.shape, m = s.model
        cols = FloatBuffer(count: B * s.patches * s.patchDim)
        tokens = FloatBuffer(count: B * s.patches * s.dim)
        stack = BlockStack(prefix: "blocks", depth: m.depth, norm: .layer(eps: 1e-6), batch: B, tokens: s.patches + 1,
                           shape: s, heads: m.heads, params: network.params, grads: nil, fixed: network.fixed,
                           runningPrefix: nil, storeActivations: false)
    }
}
