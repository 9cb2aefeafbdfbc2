import Tensor

/// The UniGrad loss under the Table-3 loss switches (docs/method.md §6, runs/presets/README.md), around `UniGradLoss`:
///
/// - `kind = global`: P and the raw target Z are mean-pooled over each sample's N tokens first, so the loss
///   runs on M = B rows (a guess: the paper only says the loss is "global"; pooling Z before the
///   normalisation, rather than pooling LN(Z), is also a guess).
/// - `norm = mae`: T = LN(Z) without affine, eps 1e-5; P unnormalised (the official loss).
/// - `norm = moco`: per-channel batch standardisation over the M rows (BatchNorm train mode, no affine,
///   eps 1e-5, gradient through the batch statistics) on P, the same on Z without gradient, then l2 on each
///   row of both. λ, the /D factor and C = TᵀT/M stay as in the MAE-like loss; the paper does not say
///   whether they changed (unverifiable; no cross-device sync here, one process).
/// Then pos/neg/L as `UniGradLoss`, and dL/dP back through l2, BN and the pooling.
public final class LossVariants {
    public let moco: Bool, global: Bool
    let D: Int
    private var rows = -1
    private var pool = FloatBuffer(count: 0), zPool = FloatBuffer(count: 0), pBN = FloatBuffer(count: 0)
    private var pHat = FloatBuffer(count: 0), tHat = FloatBuffer(count: 0), dHat = FloatBuffer(count: 0)
    private var dMid = FloatBuffer(count: 0), pc = FloatBuffer(count: 0), norms = FloatBuffer(count: 0)
    private let meanP: FloatBuffer, rstdP: FloatBuffer, scratch: FloatBuffer
    public let correlation: FloatBuffer

    public init(config: LossConfig, dim: Int) {
        moco = config.moco; global = config.global; D = dim
        meanP = FloatBuffer(count: dim); rstdP = FloatBuffer(count: dim); scratch = FloatBuffer(count: 2 * dim)
        correlation = FloatBuffer(count: dim * dim)
    }

    private func size(_ M: Int) {
        guard M != rows else { return }
        rows = M
        pool = FloatBuffer(count: M * D); zPool = FloatBuffer(count: M * D); pBN = FloatBuffer(count: M * D)
        pHat = FloatBuffer(count: M * D); tHat = FloatBuffer(count: M * D); dHat = FloatBuffer(count: M * D)
        dMid = FloatBuffer(count: M * D); pc = FloatBuffer(count: M * D)
        norms = FloatBuffer(count: max(M, D))
    }

    /// Shapes: prediction P, targetRaw Z, targetNorm T = LN(Z), dPrediction [B·N, D]. Overwrites dPrediction.
    public func forwardBackward(dPrediction: FloatPtr, prediction: ConstFloatPtr, targetRaw: ConstFloatPtr,
                                targetNorm: ConstFloatPtr, batch B: Int, tokens N: Int, negWeight: Float) -> UniGradLoss.Value {
        let M = global ? B : B * N
        size(M)
        var p = prediction, z = targetRaw
        if global {
            TokenMeanPool.forward(out: pool.pointer, input: prediction, batch: B, tokens: N, dim: D)
            TokenMeanPool.forward(out: zPool.pointer, input: targetRaw, batch: B, tokens: N, dim: D)
            p = ConstFloatPtr(pool.pointer); z = ConstFloatPtr(zPool.pointer)
        }
        let pIn: ConstFloatPtr, tIn: ConstFloatPtr
        if moco {
            BatchNormTokens.forward(out: pBN.pointer, mean: meanP.pointer, rstd: rstdP.pointer, input: p,
                                    weight: nil, bias: nil, rows: M, channels: D, eps: 1e-5)
            L2Normalize.forward(out: pHat.pointer, norms: norms.pointer, input: pBN.pointer, rows: M, dim: D)
            // Z: the same two steps, no gradient; dMid is free scratch until the backward.
            BatchNormTokens.forward(out: dMid.pointer, mean: scratch.pointer, rstd: scratch.pointer + D, input: z,
                                    weight: nil, bias: nil, rows: M, channels: D, eps: 1e-5)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: M) { zn in
                L2Normalize.forward(out: tHat.pointer, norms: zn.baseAddress!, input: dMid.pointer, rows: M, dim: D)
            }
            pIn = ConstFloatPtr(pHat.pointer); tIn = ConstFloatPtr(tHat.pointer)
        } else if global {
            LayerNorm.forward(out: tHat.pointer, mean: dMid.pointer, rstd: dMid.pointer + M, input: z,
                              weight: nil, bias: nil, rows: M, channels: D, eps: 1e-5)
            pIn = p; tIn = ConstFloatPtr(tHat.pointer)
        } else {
            pIn = p; tIn = targetNorm
        }
        let value = UniGradLoss.forwardBackward(dPrediction: dHat.pointer, correlation: correlation.pointer, pc: pc.pointer,
                                                prediction: pIn, target: tIn, rows: M, dim: D, negWeight: negWeight)
        var dP = dHat.pointer
        if moco {
            dMid.pointer.update(repeating: 0, count: M * D)
            L2Normalize.backward(dInput: dMid.pointer, dOut: dHat.pointer, output: pHat.pointer, norms: norms.pointer, rows: M, dim: D)
            dHat.pointer.update(repeating: 0, count: M * D)
            BatchNormTokens.backward(dInput: dHat.pointer, dWeight: nil, dBias: nil, dOut: dMid.pointer, input: p,
                                     weight: nil, mean: meanP.pointer, rstd: rstdP.pointer, rows: M, channels: D)
            dP = dHat.pointer
        }
        if global {
            TokenMeanPool.backward(dInput: dPrediction, dOut: dP, batch: B, tokens: N, dim: D)
        } else {
            dPrediction.update(from: dP, count: M * D)
        }
        return value
    }
}
