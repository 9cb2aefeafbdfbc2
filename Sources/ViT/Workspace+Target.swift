import Tensor

extension Workspace {
    /// Target forward, no gradient (docs/method.md §2): mm backbone on all x2 tokens with the full
    /// pos_embed, mm_decoder_embed, mm projector blocks (batch statistics), drop cls, LayerNorm without
    /// affine (eps 1e-5). Output: `targetNorm` T [B·N, D] (and `targetRaw` Z).
    public func targetForward(x2: ConstFloatPtr) {
        Profile.during(.target) { targetForwardPass(x2: x2) }
    }

    func targetForwardPass(x2: ConstFloatPtr) {
        let B = batch, N = S.patches, D = S.dim, T2 = S.targetTokens
        Profile.time(.embedding) {
            embedPatches(out: targetTokens.pointer, cols: targetCols.pointer, images: x2, prefix: "mm_")
        }
        let cls = net.target["mm_cls_token"].pointer, y0 = targetBackbone.input
        Profile.time(.gather) {
            for b in 0..<B {
                (y0 + b * T2 * D).update(from: cls, count: D)
                (y0 + (b * T2 + 1) * D).update(from: targetTokens.pointer + b * N * D, count: N * D)
            }
        }
        let h = targetBackbone.forward()
        Profile.time(.linear) {
            Linear.forward(out: targetProjector.input, input: h, weight: net.target["mm_decoder_embed.weight"].pointer,
                           bias: net.target["mm_decoder_embed.bias"].pointer, rows: B * T2, inFeatures: D, outFeatures: D)
        }
        let z = targetProjector.forward()
        Profile.time(.gather) {
            for b in 0..<B { (targetRaw.pointer + b * N * D).update(from: z + (b * T2 + 1) * D, count: N * D) }
        }
        Profile.time(.layerNorm) {
            LayerNorm.forward(out: targetNorm.pointer, mean: tMean.pointer, rstd: tRstd.pointer, input: targetRaw.pointer,
                              weight: nil, bias: nil, rows: B * N, channels: D, eps: 1e-5)
        }
    }

    /// The pixel target (Table 3 rows a, c, d; MAE): no target branch runs. `targetPixels` [B·N, p²·C] ←
    /// the patches of x2 in MAE's order, each optionally normalised to zero mean and unit (unbiased) variance.
    public func pixelTargetForward(x2: ConstFloatPtr, normPix: Bool) {
        Profile.during(.target) {
            Profile.time(.gather) {
                PatchPixels.patchify(out: targetPixels.pointer, images: x2, batch: batch, channels: S.channels,
                                     imageSize: S.imageSize, patch: S.model.patchSize)
                if normPix { PatchPixels.normalizeRows(targetPixels.pointer, rows: batch * S.patches, width: S.patchDim) }
            }
        }
    }

    /// The pixel target's buffer: the target branch's patch columns, unused when the target is pixels.
    public var targetPixels: FloatBuffer { targetCols }
}
