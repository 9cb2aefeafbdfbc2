/// The model section of a preset (docs/architecture.md §4). Value type; validated by `validate(imageSize:channels:)`.
/// Widths: the projector and decoder run at `dim` too (the official config sets decoder_embed_dim = embed_dim).
public struct ModelConfig: Codable, Sendable, Equatable {
    public var patchSize: Int
    public var dim: Int
    public var depth: Int
    public var heads: Int
    public var mlpRatio: Int
    public var projectorDepth: Int
    public var decoderDepth: Int
    public var decoderHeads: Int
    /// Table-3 switches (docs/method.md §10); the defaults are the official setting.
    public var target: String          // "feature" (EMA target branch) | "pixel" (MAE-style patch pixels)
    public var projectorNorm: String   // "bn" | "ln": both norms of each projector block (online and target)
    public var decoderNorm: String     // "bn" | "ln": both norms of each decoder block

    enum CodingKeys: String, CodingKey {
        case patchSize = "patch_size", dim, depth, heads, mlpRatio = "mlp_ratio"
        case projectorDepth = "projector_depth", decoderDepth = "decoder_depth", decoderHeads = "decoder_heads"
        case target, projectorNorm = "projector_norm", decoderNorm = "decoder_norm"
    }

    public static let targets = ["feature", "pixel"]
    public static let norms = ["bn", "ln"]

    public init(patchSize: Int, dim: Int, depth: Int, heads: Int, mlpRatio: Int,
                projectorDepth: Int, decoderDepth: Int, decoderHeads: Int,
                target: String = "feature", projectorNorm: String = "bn", decoderNorm: String = "bn") {
        self.patchSize = patchSize; self.dim = dim; self.depth = depth; self.heads = heads; self.mlpRatio = mlpRatio
        self.projectorDepth = projectorDepth; self.decoderDepth = decoderDepth; self.decoderHeads = decoderHeads
        self.target = target; self.projectorNorm = projectorNorm; self.decoderNorm = decoderNorm
    }

    public var pixelTarget: Bool { target == "pixel" }
    public var projectorBatchNorm: Bool { projectorNorm != "ln" }
    public var decoderBatchNorm: Bool { decoderNorm != "ln" }
}

/// Everything the network needs to know about its shapes: the model section plus the image geometry
/// and the number of masked patches (which fixes the visible-token count V = N − K).
public struct NetworkShape: Sendable, Equatable {
    public var model: ModelConfig
    public var imageSize: Int
    public var channels: Int
    public var maskCount: Int

    public init(model: ModelConfig, imageSize: Int, channels: Int, maskCount: Int) {
        self.model = model; self.imageSize = imageSize; self.channels = channels; self.maskCount = maskCount
    }

    public var grid: Int { imageSize / model.patchSize }
    public var patches: Int { grid * grid }                     // N
    public var visible: Int { patches - maskCount }             // V
    public var dim: Int { model.dim }                           // D
    public var patchDim: Int { channels * model.patchSize * model.patchSize }
    public var hidden: Int { model.dim * model.mlpRatio }
    public var onlineTokens: Int { 1 + visible }                // cls + visible
    public var targetTokens: Int { 1 + patches }                // cls + all
    public var decoderTokens: Int { 1 + visible + patches }     // cls + visible + N mask tokens for view 2
    /// Width of one prediction row (decoder_pred's outputs): D for the feature target, p²·C for pixels.
    public var predictionDim: Int { model.pixelTarget ? patchDim : dim }
}
