import Tensor

/// Pointers to one pre-norm block's parameters (or gradients) inside an arena.
/// Names follow the official layout: `<prefix>.norm1[.bn].weight`, `<prefix>.attn.qkv.weight`, …
public struct BlockParams {
    public let norm1W, norm1B, qkvW, qkvB, projW, projB, norm2W, norm2B, fc1W, fc1B, fc2W, fc2B: FloatPtr

    public init(_ arena: Arena, prefix p: String, batchNorm: Bool) {
        let n1 = batchNorm ? "\(p).norm1.bn" : "\(p).norm1", n2 = batchNorm ? "\(p).norm2.bn" : "\(p).norm2"
        norm1W = arena["\(n1).weight"].pointer; norm1B = arena["\(n1).bias"].pointer
        qkvW = arena["\(p).attn.qkv.weight"].pointer; qkvB = arena["\(p).attn.qkv.bias"].pointer
        projW = arena["\(p).attn.proj.weight"].pointer; projB = arena["\(p).attn.proj.bias"].pointer
        norm2W = arena["\(n2).weight"].pointer; norm2B = arena["\(n2).bias"].pointer
        fc1W = arena["\(p).mlp.fc1.weight"].pointer; fc1B = arena["\(p).mlp.fc1.bias"].pointer
        fc2W = arena["\(p).mlp.fc2.weight"].pointer; fc2B = arena["\(p).mlp.fc2.bias"].pointer
    }
}

/// BatchNorm running statistics of one BN block (both norms), inside the fixed arena.
public struct BNBuffers {
    public let mean1, var1, count1, mean2, var2, count2: FloatPtr
    public init(_ arena: Arena, prefix p: String) {
        mean1 = arena["\(p).norm1.bn.running_mean"].pointer; var1 = arena["\(p).norm1.bn.running_var"].pointer
        count1 = arena["\(p).norm1.bn.num_batches_tracked"].pointer
        mean2 = arena["\(p).norm2.bn.running_mean"].pointer; var2 = arena["\(p).norm2.bn.running_var"].pointer
        count2 = arena["\(p).norm2.bn.num_batches_tracked"].pointer
    }
}

/// Which norm a block uses: LayerNorm over channels (backbone, eps 1e-6) or BatchNorm over all B·L tokens
/// per channel (projector and decoder, eps 1e-5, PyTorch train mode).
public enum BlockNorm: Sendable {
    case layer(eps: Float)
    case batch(eps: Float)
}

/// Saved activations of one block for one batch. Sized once for `rows` = B·T and reused every step.
public final class BlockActivations {
    public let rows, dim, hidden, batch, tokens, heads: Int
    public let ln1, qkv, att, attnOut, resid, ln2, fc1, gelu: FloatBuffer
    public let mean1, rstd1, mean2, rstd2: FloatBuffer

    public init(batch: Int, tokens: Int, dim: Int, hidden: Int, heads: Int) {
        self.batch = batch; self.tokens = tokens; self.dim = dim; self.hidden = hidden; self.heads = heads
        rows = batch * tokens
        ln1 = FloatBuffer(count: rows * dim); qkv = FloatBuffer(count: rows * 3 * dim)
        att = FloatBuffer(count: batch * heads * tokens * tokens); attnOut = FloatBuffer(count: rows * dim)
        resid = FloatBuffer(count: rows * dim); ln2 = FloatBuffer(count: rows * dim)
        fc1 = FloatBuffer(count: rows * hidden); gelu = FloatBuffer(count: rows * hidden)
        let stats = max(rows, dim)
        mean1 = FloatBuffer(count: stats); rstd1 = FloatBuffer(count: stats)
        mean2 = FloatBuffer(count: stats); rstd2 = FloatBuffer(count: stats)
    }
}

/// Gradient scratch shared by all blocks of one stack (sized for the largest rows).
public final class BlockScratch {
    public let dLn1, dQKV, dAttn, dResid, dLn2, dFc1, dGelu: FloatBuffer
    public init(rows: Int, dim: Int, hidden: Int) {
        dLn1 = FloatBuffer(count: rows * dim); dQKV = FloatBuffer(count: rows * 3 * dim)
        dAttn = FloatBuffer(count: rows * dim); dResid = FloatBuffer(count: rows * dim)
        dLn2 = FloatBuffer(count: rows * dim); dFc1 = FloatBuffer(count: rows * hidden)
        dGelu = FloatBuffer(count: rows * hidden)
    }

    /// The attention backward's per-worker [T, T] tiles, grown on first use and then reused every step
    /// (without it `Attention.backward` allocates per call).
    private var attention = FloatBuffer(count: 0)
    public func attentionScratch(tokens: Int, workers: Int) -> FloatPtr {
        let need = Attention.scratchCount(tokens: tokens, workers: workers)
        if attention.count < need { attention = FloatBuffer(count: need) }
        return attention.pointer
    }
}

/// A pre-norm Transformer block: x ← x + Attn(Norm1(x)); x ← x + MLP(Norm2(x)) (docs/method.md §2).
/// Shapes: input/out [R, D] with R = B·T; qkv [R, 3D]; att [B, H, T, T]; MLP hidden [R, Hd].
public enum TransformerBlock {
    /// Forward. `out` may not alias `input`. Saves everything backward needs in `act`.
    /// `running` (BN only) receives PyTorch's running-statistics update (momentum 0.1, unbiased variance).
    public static func forward(out: FloatPtr, act: BlockActivations, input: ConstFloatPtr, params w: BlockParams,
                               norm: BlockNorm, running: BNBuffers?) {
        let R = act.rows, D = act.dim, Hd = act.hidden
        normForward(out: act.ln1.pointer, mean: act.mean1.pointer, rstd: act.rstd1.pointer, input: input,
                    weight: w.norm1W, bias: w.norm1B, rows: R, dim: D, norm: norm,
                    running: running.map { ($0.mean1, $0.var1, $0.count1) })
        Profile.time(.linear) {
            Linear.forward(out: act.qkv.pointer, input: act.ln1.pointer, weight: w.qkvW, bias: w.qkvB,
                           rows: R, inFeatures: D, outFeatures: 3 * D)
        }
        Profile.time(.attention) {
            Attention.forward(out: act.attnOut.pointer, att: act.att.pointer, qkv: act.qkv.pointer,
                              batch: act.batch, tokens: act.tokens, dim: D, heads: act.heads)
        }
        // The residual adds ride in the GEMM epilogue (Linear's `residual:`): resid = proj(attnOut) + input.
        Profile.time(.linear) {
            Linear.forward(out: act.resid.pointer, input: act.attnOut.pointer, weight: w.projW, bias: w.projB,
                           rows: R, inFeatures: D, outFeatures: D, residual: input)
        }
        normForward(out: act.ln2.pointer, mean: act.mean2.pointer, rstd: act.rstd2.pointer, input: act.resid.pointer,
                    weight: w.norm2W, bias: w.norm2B, rows: R, dim: D, norm: norm,
                    running: running.map { ($0.mean2, $0.var2, $0.count2) })
        Profile.time(.linear) {
            Linear.forward(out: act.fc1.pointer, input: act.ln2.pointer, weight: w.fc1W, bias: w.fc1B,
                           rows: R, inFeatures: D, outFeatures: Hd)
        }
        Profile.time(.gelu) {
            GELU.forward(out: act.gelu.pointer, input: act.fc1.pointer, count: R * Hd)
        }
        Profile.time(.linear) {
            Linear.forward(out: out, input: act.gelu.pointer, weight: w.fc2W, bias: w.fc2B,
                           rows: R, inFeatures: Hd, outFeatures: D, residual: act.resid.pointer)
        }
    }

    /// Backward. Accumulates into `dInput` and into the parameter gradients `g`.
    public static func backward(dInput: FloatPtr, grads g: BlockParams, dOut: ConstFloatPtr, act: BlockActivations,
                                input: ConstFloatPtr, params w: BlockParams, norm: BlockNorm, scratch s: BlockScratch) {
        let R = act.rows, D = act.dim, Hd = act.hidden, workers = Parallel.defaultWorkers
        // MLP branch: out = resid + fc2(gelu(fc1(ln2)))
        // Scratch gradients are overwritten by their single producer (no memsets); parameter grads accumulate.
        Profile.time(.linear) {
            Linear.backward(dInput: s.dGelu.pointer, dWeight: g.fc2W, dBias: g.fc2B, dOut: dOut, input: act.gelu.pointer,
                            weight: w.fc2W, rows: R, inFeatures: Hd, outFeatures: D, overwriteInput: true)
        }
        Profile.time(.gelu) {
            GELU.backward(dInput: s.dFc1.pointer, dOut: s.dGelu.pointer, input: act.fc1.pointer,
                          output: act.gelu.pointer, count: R * Hd, overwrite: true)
        }
        Profile.time(.linear) {
            Linear.backward(dInput: s.dLn2.pointer, dWeight: g.fc1W, dBias: g.fc1B, dOut: s.dFc1.pointer,
                            input: act.ln2.pointer, weight: w.fc1W, rows: R, inFeatures: D, outFeatures: Hd,
                            overwriteInput: true)
        }
        // dResid = dOut (the skip connection) + norm2's gradient, in norm2's pass (no separate copy).
        normBackward(dInput: s.dResid.pointer, dWeight: g.norm2W, dBias: g.norm2B, dOut: s.dLn2.pointer,
                     input: act.resid.pointer, weight: w.norm2W, mean: act.mean2.pointer, rstd: act.rstd2.pointer,
                     rows: R, dim: D, norm: norm, residual: dOut, overwrite: true)
        // Attention branch: resid = input + proj(attn(qkv(ln1)))
        Profile.time(.linear) {
            Linear.backward(dInput: s.dAttn.pointer, dWeight: g.projW, dBias: g.projB, dOut: s.dResid.pointer,
                            input: act.attnOut.pointer, weight: w.projW, rows: R, inFeatures: D, outFeatures: D,
                            overwriteInput: true)
        }
        Profile.time(.attention) {
            Attention.backward(dQKV: s.dQKV.pointer, dOut: s.dAttn.pointer, qkv: act.qkv.pointer, att: act.att.pointer,
                               batch: act.batch, tokens: act.tokens, dim: D, heads: act.heads, workers: workers,
                               scratch: s.attentionScratch(tokens: act.tokens, workers: workers), overwrite: true)
        }
        Profile.time(.linear) {
            Linear.backward(dInput: s.dLn1.pointer, dWeight: g.qkvW, dBias: g.qkvB, dOut: s.dQKV.pointer,
                            input: act.ln1.pointer, weight: w.qkvW, rows: R, inFeatures: D, outFeatures: 3 * D,
                            overwriteInput: true)
        }
        // dInput += norm1's gradient, then += dResid (the skip connection), in norm1's pass.
        normBackward(dInput: dInput, dWeight: g.norm1W, dBias: g.norm1B, dOut: s.dLn1.pointer, input: input,
                     weight: w.norm1W, mean: act.mean1.pointer, rstd: act.rstd1.pointer, rows: R, dim: D, norm: norm,
                     residual: s.dResid.pointer, overwrite: false)
    }

    static func normForward(out: FloatPtr, mean: FloatPtr, rstd: FloatPtr, input: ConstFloatPtr, weight: FloatPtr,
                            bias: FloatPtr, rows: Int, dim: Int, norm: BlockNorm,
                            running: (FloatPtr, FloatPtr, FloatPtr)?) {
        switch norm {
        case .layer(let eps):
            Profile.time(.layerNorm) {
                LayerNorm.forward(out: out, mean: mean, rstd: rstd, input: input, weight: weight, bias: bias,
                                  rows: rows, channels: dim, eps: eps)
            }
        case .batch(let eps):
            Profile.time(.batchNorm) {
                BatchNormTokens.forward(out: out, mean: mean, rstd: rstd, input: input, weight: weight, bias: bias,
                                        rows: rows, channels: dim, eps: eps)
                if let (rm, rv, count) = running {
                    BatchNormTokens.updateRunning(runningMean: rm, runningVar: rv, mean: mean, rstd: rstd,
                                                  rows: rows, channels: dim, eps: eps, momentum: 0.1)
                    count.pointee += 1
                }
            }
        }
    }

    static func normBackward(dInput: FloatPtr, dWeight: FloatPtr, dBias: FloatPtr, dOut: ConstFloatPtr,
                             input: ConstFloatPtr, weight: FloatPtr, mean: FloatPtr, rstd: FloatPtr,
                             rows: Int, dim: Int, norm: BlockNorm, residual: ConstFloatPtr, overwrite: Bool) {
        switch norm {
        case .layer:
            Profile.time(.layerNorm) {
                LayerNorm.backward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                   weight: weight, mean: mean, rstd: rstd, rows: rows, channels: dim,
                                   residual: residual, overwrite: overwrite)
            }
        case .batch:
            Profile.time(.batchNorm) {
                BatchNormTokens.backward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                         weight: weight, mean: mean, rstd: rstd, rows: rows, channels: dim,
                                         residual: residual, overwrite: overwrite)
            }
        }
    }
}
