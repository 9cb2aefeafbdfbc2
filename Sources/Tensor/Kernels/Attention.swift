/// Multi-head self-attention core over a fused qkv (timm `Attention` after the qkv Linear).
/// Shapes: qkv [B, T, 3D] with channel s·D + h·Dh + d (s = q,k,v; Dh = D/H); out [B, T, D] with merged
/// channel h·Dh + d; att [B, H, T, T] the saved softmax probabilities. scale = Dh^−½.
/// GEMMs read q, k, v in place with leading dimension 3D (no copies); (b, h) pairs are split over
/// `workers` threads with BLAS at 1 thread inside the region.
public enum Attention {
    /// Floats of backward scratch for `workers` threads: one [T, T] dP/dScores tile each.
    public static func scratchCount(tokens: Int, workers: Int = 2) -> Int { Swift.max(1, workers) * tokens * tokens }

    /// att = softmax((q·scale)·kᵀ) per (b, h); out = att·v. Overwrites out and att. Needs no scratch.
    public static func forward(out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, batch: Int, tokens: Int,
                               dim: Int, heads: Int, workers: Int = Parallel.defaultWorkers) {
        let (B, T, D, H) = (batch, tokens, dim, heads)
        precondition(H > 0 && D % H == 0, "Attention: dim \(D) is not divisible by heads \(H)")
        let Dh = D / H, ld = 3 * D
        let scale = 1 / Float(Dh).squareRoot()
        let outP = SendablePointer(out), attP = SendablePointer(att)
        let qkvP = SendablePointer(UnsafeMutablePointer(mutating: qkv))
        Parallel.forRanges(count: B * H, workers: workers) { jobs, _ in
            for job in jobs {
                let b = job / H, h = job % H
                let q = UnsafePointer(qkvP.p) + b * T * ld + h * Dh, k = q + D, v = q + 2 * D
                let p = attP.p + job * T * T
                Blas.sgemm(transB: true, m: T, n: T, k: Dh, alpha: scale, a: q, lda: ld, b: k, ldb: ld,
                           c: p, ldc: T)
                Softmax.forward(out: p, input: p, rows: T, columns: T)
                Blas.sgemm(m: T, n: Dh, k: T, a: p, lda: T, b: v, ldb: ld,
                           c: outP.p + b * T * D + h * Dh, ldc: D)
            }
        }
    }

    /// Backward; **accumulates** into dQKV [B, T, 3D] (`overwrite: true` writes it instead: every element
    /// is written exactly once, so the caller need not zero it). `scratch` must hold `scratchCount(tokens:workers:)`
    /// floats; pass nil to allocate it for this call (pass a workspace in the training loop to avoid that).
    public static func backward(dQKV: FloatPtr, dOut: ConstFloatPtr, qkv: ConstFloatPtr, att: ConstFloatPtr,
                                batch: Int, tokens: Int, dim: Int, heads: Int, workers: Int = Parallel.defaultWorkers,
                                scratch: FloatPtr? = nil, overwrite: Bool = false) {
        let w = Swift.max(1, workers)
        guard let scratch else {
            let own = FloatBuffer(count: scratchCount(tokens: tokens, workers: w))
            backward(dQKV: dQKV, dOut: dOut, qkv: qkv, att: att, batch: batch, tokens: tokens, dim: dim,
                     heads: heads, workers: w, scratch: own.pointer, overwrite: overwrite)
            return
        }
        let (B, T, D, H) = (batch, tokens, dim, heads)
        precondition(H > 0 && D % H == 0, "Attention: dim \(D) is not divisible by heads \(H)")
        let Dh = D / H, ld = 3 * D
        let scale = 1 / Float(Dh).squareRoot(), beta: Float = overwrite ? 0 : 1
        let dqkvP = SendablePointer(dQKV), scratchP = SendablePointer(scratch)
        let inP = SendablePointer(UnsafeMutablePointer(mutating: qkv))
        let attP = SendablePointer(UnsafeMutablePointer(mutating: att))
        let dOutP = SendablePointer(UnsafeMutablePointer(mutating: dOut))
        Parallel.forRanges(count: B * H, workers: w) { jobs, worker in
            let dS = scratchP.p + worker * T * T
            for job in jobs {
                let b = job / H, h = job % H
                let q = UnsafePointer(inP.p) + b * T * ld + h * Dh, k = q + D, v = q + 2 * D
                let dq = dqkvP.p + b * T * ld + h * Dh, dk = dq + D, dv = dq + 2 * D
                let p = UnsafePointer(attP.p) + job * T * T
                let dO = UnsafePointer(dOutP.p) + b * T * D + h * Dh
                // dP = dO·vᵀ; dv += Pᵀ·dO
                Blas.sgemm(transB: true, m: T, n: T, k: Dh, a: dO, lda: D, b: v, ldb: ld, c: dS, ldc: T)
                Blas.sgemm(transA: true, m: T, n: Dh, k: T, a: p, lda: T, b: dO, ldb: D, beta: beta, c: dv, ldc: ld)
                // dScores = P ⊙ (dP − rowsum(dP ⊙ P)); scores = scale·q·kᵀ
                Softmax.backwardInPlace(grad: dS, out: p, rows: T, columns: T)
                Blas.sgemm(m: T, n: Dh, k: T, alpha: scale, a: dS, lda: T, b: k, ldb: ld, beta: beta, c: dq, ldc: ld)
                Blas.sgemm(transA: true, m: T, n: Dh, k: T, alpha: scale, a: dS, lda: T, b: q, ldb: ld,
                           beta: beta, c: dk, ldc: ld)
            }
        }
    }
}
