import Tensor

extension Workspace {
    /// Online forward (docs/method.md §1–§3): backbone on the visible tokens, projector, decoder, head.
    /// Inputs: x1 [B, C, H, W]; mask [B·N] with exactly K ones per row (1 = masked); `relPE` filled by the caller.
    /// Output: `prediction` P [B·N, Pd] (Pd = D, or p²·C for the pixel target).
    public func onlineForward(x1: ConstFloatPtr, mask: [UInt8]) {
        Profile.during(.forward) { onlineForwardPass(x1: x1, mask: mask) }
    }

    func onlineForwardPass(x1: ConstFloatPtr, mask: [UInt8]) {
        let B = batch, N = S.patches, V = S.visible, D = S.dim, T1 = S.onlineTokens, T3 = S.decoderTokens
        precondition(mask.count == B * N, "mask has \(mask.count) entries, expected B·N = \(B * N)")
        for b in 0..<B {
            var k = 0
            for n in 0..<N where mask[b * N + n] == 0 {
                precondition(k < V, "sample \(b) has fewer than \(S.maskCount) masked patches")
                visible.pointer[b * V + k] = Int32(n); k += 1
            }
            precondition(k == V, "sample \(b) has \(N - k) masked patches, expected \(S.maskCount)")
        }
        Profile.time(.embedding) {
            embedPatches(out: tokens.pointer, cols: cols.pointer, images: x1, prefix: "")
        }
        // Backbone input: [cls + 0; visible tokens (already + pos_embed)].
        let cls = net.params["cls_token"].pointer, x0 = backbone.input
        Profile.time(.gather) {
            for b in 0..<B {
                (x0 + b * T1 * D).update(from: cls, count: D)
                for k in 0..<V {
                    let n = Int(visible.pointer[b * V + k])
                    (x0 + (b * T1 + 1 + k) * D).update(from: tokens.pointer + (b * N + n) * D, count: D)
                }
            }
        }
        let h = backbone.forward()
        Profile.time(.linear) {
            Linear.forward(out: projector.input, input: h, weight: net.params["decoder_embed.weight"].pointer,
                           bias: net.params["decoder_embed.bias"].pointer, rows: B * T1, inFeatures: D, outFeatures: D)
        }
        let p = projector.forward()
        Profile.time(.linear) {
            Linear.forward(out: posOut.pointer, input: relPE.pointer, weight: net.params["decoder_pos_mlp.weight"].pointer,
                           bias: net.params["decoder_pos_mlp.bias"].pointer, rows: B * N, inFeatures: 2 * D, outFeatures: D)
        }
        // Decoder input: [cls + 0; visible + decoder_pos_embed at their view-1 positions; mask_token + pos-MLP(rel)].
        let dpe = net.fixed["decoder_pos_embed"].pointer, maskToken = net.params["mask_token"].pointer
        let s0 = decoder.input
        Profile.time(.gather) {
            for b in 0..<B {
                (s0 + b * T3 * D).update(from: p + b * T1 * D, count: D)
                for k in 0..<V {
                    let n = Int(visible.pointer[b * V + k])
                    let dst = s0 + (b * T3 + 1 + k) * D, src = p + (b * T1 + 1 + k) * D, pe = dpe + (1 + n) * D
                    for c in 0..<D { dst[c] = src[c] + pe[c] }
                }
                for n in 0..<N {
                    let dst = s0 + (b * T3 + 1 + V + n) * D, src = posOut.pointer + (b * N + n) * D
                    for c in 0..<D { dst[c] = maskToken[c] + src[c] }
                }
            }
        }
        let s = decoder.forward()
        Profile.time(.gather) {
            for b in 0..<B {
                (predIn.pointer + b * N * D).update(from: s + (b * T3 + 1 + V) * D, count: N * D)
            }
        }
        Profile.time(.linear) {
            Linear.forward(out: prediction.pointer, input: predIn.pointer, weight: net.params["decoder_pred.weight"].pointer,
                           bias: net.params["decoder_pred.bias"].pointer, rows: B * N, inFeatures: D, outFeatures: S.predictionDim)
        }
    }

    /// Frozen patch embedding on all patches: tokens[b·N + n] = W·patch + b + pos_embed[1 + n].
    /// `prefix` picks the online ("") or target ("mm_") copy of the frozen embedding; they are equal.
    func embedPatches(out: FloatPtr, cols: FloatPtr, images: ConstFloatPtr, prefix: String) {
        let B = batch, N = S.patches, D = S.dim
        PatchEmbed.im2col(out: cols, images: images, batch: B, channels: S.channels, height: S.imageSize,
                          width: S.imageSize, patch: S.model.patchSize)
        Linear.forward(out: out, input: cols, weight: net.fixed[prefix + "patch_embed.proj.weight"].pointer,
                       bias: net.fixed[prefix + "patch_embed.proj.bias"].pointer, rows: B * N,
                       inFeatures: S.patchDim, outFeatures: D)
        // + pos_embed per sample, samples split over the workers (each call alone is below the threshold).
        let pe = SendablePointer(net.fixed["pos_embed"].pointer + D), o = SendablePointer(out)
        Parallel.split(count: B, parts: Parallel.workers(elements: B * N * D, requested: Parallel.defaultWorkers)) { r, _ in
            for b in r { Add.forward(out: o.p + b * N * D, a: o.p + b * N * D, b: pe.p, count: N * D, workers: 1) }
        }
    }

    /// Backward of the online branch from `dPrediction` (set by the loss). Accumulates into `net.grads`;
    /// the caller zeroes them once per step.
    public func onlineBackward() {
        Profile.during(.backward) { onlineBackwardPass() }
    }

    func onlineBackwardPass() {
        let B = batch, N = S.patches, V = S.visible, D = S.dim, T1 = S.onlineTokens, T3 = S.decoderTokens
        let g = net.grads
        Profile.time(.linear) {
            Linear.backward(dInput: dPredIn.pointer, dWeight: g["decoder_pred.weight"].pointer, dBias: g["decoder_pred.bias"].pointer,
                            dOut: dPrediction.pointer, input: predIn.pointer, weight: net.params["decoder_pred.weight"].pointer,
                            rows: B * N, inFeatures: D, outFeatures: S.predictionDim, overwriteInput: true)
        }
        Profile.time(.gather) {
            // Per sample T3 = 1 + V + N rows: zeros for cls and visible, then the N prediction rows.
            for b in 0..<B {
                (dA.pointer + b * T3 * D).update(repeating: 0, count: (1 + V) * D)
                (dA.pointer + (b * T3 + 1 + V) * D).update(from: dPredIn.pointer + b * N * D, count: N * D)
            }
        }
        let dS = decoder.backward(dOut: dA, spare: dB, scratch: scratch)
        // Split dS0: mask tokens and the pos-MLP get the last N rows; the projector gets cls + visible rows.
        let dMask = g["mask_token"].pointer
        Profile.time(.gather) {
            for b in 0..<B {
                let rows = dS.pointer + (b * T3 + 1 + V) * D
                (dPos.pointer + b * N * D).update(from: rows, count: N * D)
                ColumnSum.accumulate(out: dMask, input: rows, rows: N, columns: D)
            }
        }
        Profile.time(.linear) {
            Linear.backward(dInput: nil, dWeight: g["decoder_pos_mlp.weight"].pointer, dBias: g["decoder_pos_mlp.bias"].pointer,
                            dOut: dPos.pointer, input: relPE.pointer, weight: net.params["decoder_pos_mlp.weight"].pointer,
                            rows: B * N, inFeatures: 2 * D, outFeatures: D)
        }
        let other = dS === dA ? dB : dA
        Profile.time(.gather) {
            for b in 0..<B {
                (other.pointer + b * T1 * D).update(from: dS.pointer + b * T3 * D, count: T1 * D)
            }
        }
        let dProjIn = projector.backward(dOut: other, spare: dS, scratch: scratch)
        let dH = dProjIn === dA ? dB : dA
        Profile.time(.linear) {
            Linear.backward(dInput: dH.pointer, dWeight: g["decoder_embed.weight"].pointer, dBias: g["decoder_embed.bias"].pointer,
                            dOut: dProjIn.pointer, input: backbone.outputs[S.model.depth].pointer,
                            weight: net.params["decoder_embed.weight"].pointer, rows: B * T1, inFeatures: D, outFeatures: D,
                            overwriteInput: true)
        }
        let dX0 = backbone.backward(dOut: dH, spare: dProjIn, scratch: scratch)
        // Only the cls row carries a gradient into a trainable parameter (the patch embedding is frozen).
        let dCls = g["cls_token"].pointer
        Profile.time(.gather) {
            for b in 0..<B { Add.accumulate(out: dCls, input: dX0.pointer + b * T1 * D, count: D) }
        }
    }
}
