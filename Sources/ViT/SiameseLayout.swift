import Tensor

/// The parameter tables of SiameseIM with the official state-dict names (docs/method.md §9).
///
/// Three arenas share these tables:
/// - `trainable`: every parameter AdamW updates. Its first `emaCount` floats are exactly the parameters the
///   target branch averages (cls, blocks, decoder_embed, projector blocks, mask_token), in the same order as
///   `target`, so the EMA update is one loop over a prefix.
/// - `target`: the `mm_` copies of that prefix.
/// - `fixed`: frozen parameters and buffers (patch embedding, sin-cos tables, BatchNorm running statistics).
public struct SiameseLayout: Sendable {
    public let shape: NetworkShape
    public let trainable: ParameterLayout
    public let target: ParameterLayout
    public let fixed: ParameterLayout
    public let emaCount: Int

    public init(shape: NetworkShape) {
        self.shape = shape
        let m = shape.model, D = shape.dim
        var tr = ParameterLayout(), fx = ParameterLayout()
        tr.add("cls_token", [1, 1, D])
        for i in 0..<m.depth { Self.addBlock(&tr, "blocks.\(i)", batchNorm: false, shape: shape) }
        tr.add("decoder_embed.weight", [D, D]); tr.add("decoder_embed.bias", [D])
        for i in 0..<m.projectorDepth {
            Self.addBlock(&tr, "projector_decoder_blocks.\(i)", batchNorm: m.projectorBatchNorm, shape: shape)
        }
        tr.add("mask_token", [1, 1, D])
        let ema = tr.count
        var tg = ParameterLayout()
        for e in tr.entries { tg.add("mm_" + e.name, e.shape) }
        for i in 0..<m.decoderDepth {
            Self.addBlock(&tr, "predictor_decoder_blocks.\(i)", batchNorm: m.decoderBatchNorm, shape: shape)
        }
        // The pixel target (MAE) predicts p²·C values per patch with the same-named head.
        let Pd = shape.predictionDim
        tr.add("decoder_pred.weight", [Pd, D]); tr.add("decoder_pred.bias", [Pd])
        tr.add("decoder_pos_mlp.weight", [D, 2 * D]); tr.add("decoder_pos_mlp.bias", [D])

        let P = m.patchSize, C = shape.channels, N1 = shape.patches + 1
        for prefix in ["", "mm_"] {
            fx.add(prefix + "patch_embed.proj.weight", [D, C, P, P]); fx.add(prefix + "patch_embed.proj.bias", [D])
        }
        fx.add("pos_embed", [1, N1, D]); fx.add("decoder_pos_embed", [1, N1, D])
        // Running statistics exist only for BatchNorm stacks (LayerNorm has none).
        for (prefix, depth, bn) in [("projector_decoder_blocks", m.projectorDepth, m.projectorBatchNorm),
                                    ("predictor_decoder_blocks", m.decoderDepth, m.decoderBatchNorm),
                                    ("mm_projector_decoder_blocks", m.projectorDepth, m.projectorBatchNorm)] where bn {
            for i in 0..<depth { for norm in ["norm1", "norm2"] {
                let base = "\(prefix).\(i).\(norm).bn."
                fx.add(base + "running_mean", [D]); fx.add(base + "running_var", [D]); fx.add(base + "num_batches_tracked", [])
            } }
        }
        trainable = tr; target = tg; fixed = fx; emaCount = ema
        trainable.checkInvariants(); target.checkInvariants(); fixed.checkInvariants()
    }

    static func addBlock(_ l: inout ParameterLayout, _ p: String, batchNorm: Bool, shape: NetworkShape) {
        let D = shape.dim, Hd = shape.hidden
        let n1 = batchNorm ? "\(p).norm1.bn" : "\(p).norm1", n2 = batchNorm ? "\(p).norm2.bn" : "\(p).norm2"
        l.add("\(n1).weight", [D]); l.add("\(n1).bias", [D])
        l.add("\(p).attn.qkv.weight", [3 * D, D]); l.add("\(p).attn.qkv.bias", [3 * D])
        l.add("\(p).attn.proj.weight", [D, D]); l.add("\(p).attn.proj.bias", [D])
        l.add("\(n2).weight", [D]); l.add("\(n2).bias", [D])
        l.add("\(p).mlp.fc1.weight", [Hd, D]); l.add("\(p).mlp.fc1.bias", [Hd])
        l.add("\(p).mlp.fc2.weight", [D, Hd]); l.add("\(p).mlp.fc2.bias", [D])
    }

    /// AdamW's decay rule (timm param_groups_weight_decay): no decay for ndim ≤ 1 or names ending in ".bias".
    public static func decays(_ e: ParameterLayout.Entry) -> Bool {
        !(e.shape.count <= 1 || e.name.hasSuffix(".bias"))
    }

    /// Trainable parameter count (the `base` preset must give 129,944,832) and frozen patch-embedding count.
    public var trainableCount: Int { trainable.count }
    public var frozenPatchEmbedCount: Int {
        (fixed.entry("patch_embed.proj.weight")?.count ?? 0) + (fixed.entry("patch_embed.proj.bias")?.count ?? 0)
    }
}
