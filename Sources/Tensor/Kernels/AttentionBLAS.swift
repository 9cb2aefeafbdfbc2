/// The per-head BLAS path of `Attention`, for head widths the CKernels head kernel does not take
/// (not a multiple of 16, or above 64). GEMMs read q, k, v in place with leading dimension 3D.
extension Attention {
    static func forwardBLAS(out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, batch: Int, tokens: Int,
                            dim: Int, heads: Int, workers: Int) {
        let (B, T, D, H) = (batch, tokens, dim, heads)
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

    static func backwardBLAS(dQKV: FloatPtr, dOut: ConstFloatPtr, qkv: ConstFloatPtr, att: ConstFloatPtr,
                             batch: Int, tokens: Int, dim: Int, heads: Int, workers: Int, scratch: FloatPtr,
                             overwrite: Bool) {
        let (B, T, D, H) = (batch, tokens, dim, heads)
        let Dh = D / H, ld = 3 * D, per = scratchCount(tokens: T, workers: 1)
        let scale = 1 / Float(Dh).squareRoot(), beta: Float = overwrite ? 0 : 1
        let dqkvP = SendablePointer(dQKV), scratchP = SendablePointer(scratch)
        let inP = SendablePointer(UnsafeMutablePointer(mutating: qkv))
        let attP = SendablePointer(UnsafeMutablePointer(mutating: att))
        let dOutP = SendablePointer(UnsafeMutablePointer(mutating: dOut))
        Parallel.forRanges(count: B * H, workers: workers) { jobs, worker in
            let dS = scratchP.p + worker * per
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
