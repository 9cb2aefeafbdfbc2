import CKernels
import Foundation

/// Multi-head self-attention core over a fused qkv (timm `Attention` after the qkv Linear).
/// Shapes: qkv [B, T, 3D] with channel s·D + h·Dh + d (s = q,k,v; Dh = D/H); out [B, T, D] with merged
/// channel h·Dh + d; att [B, H, T, T] the saved softmax probabilities. scale = Dh^−½.
/// (b, h) pairs are split over `workers` threads. Head widths 16/32/48/64 run the CKernels head kernel
/// (per-ISA, rows accumulated in vector registers: per-head sgemm calls on T ≈ 20–200 spent most of their time
/// in call and packing overhead); other widths use per-head BLAS calls with BLAS at 1 thread in the region.
public enum Attention {
    /// SIAMON_ATTENTION=blas keeps every head width on the BLAS path, for A/B benchmarks in one build.
    static let headKernelEnabled = ProcessInfo.processInfo.environment["SIAMON_ATTENTION"] != "blas"
    static func usesHeadKernel(_ dh: Int) -> Bool { headKernelEnabled && ck_attention_supports(Int32(dh)) != 0 }

    /// Floats of scratch for `workers` threads, enough for either path and any head width up to 64.
    public static func scratchCount(tokens: Int, workers: Int = 2) -> Int {
        Swift.max(1, workers) * Swift.max(tokens * tokens, ck_attention_scratch(tokens, 64))
    }

    /// att = softmax((q·scale)·kᵀ) per (b, h); out = att·v. Overwrites out and att. `scratch` as for backward
    /// (nil allocates it for this call).
    public static func forward(out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, batch: Int, tokens: Int,
                               dim: Int, heads: Int, workers: Int = Parallel.defaultWorkers, scratch: FloatPtr? = nil) {
        let (B, T, D, H) = (batch, tokens, dim, heads)
        precondition(H > 0 && D % H == 0, "Attention: dim \(D) is not divisible by heads \(H)")
        let Dh = D / H, ld = 3 * D, w = Swift.max(1, workers)
        guard usesHeadKernel(Dh) else {
            // fp32 in both paths: the head kernel has no bf16 form, and a head's precision must not depend on
            // which thread runs it (worker threads do not see a caller's GemmPrecision scope).
            return GemmPrecision.$current.withValue(.fp32) {
                forwardBLAS(out: out, att: att, qkv: qkv, batch: B, tokens: T, dim: D, heads: H, workers: w)
            }
        }
        let own = scratch == nil ? FloatBuffer(count: scratchCount(tokens: T, workers: w)) : nil
        let scratchP = SendablePointer(scratch ?? own!.pointer), per = scratchCount(tokens: T, workers: 1)
        let scale = 1 / Float(Dh).squareRoot()
        let outP = SendablePointer(out), attP = SendablePointer(att)
        let qkvP = SendablePointer(UnsafeMutablePointer(mutating: qkv))
        withExtendedLifetime(own) {
            Parallel.forRanges(count: B * H, workers: w) { jobs, worker in
                for job in jobs {
                    let b = job / H, h = job % H
                    let q = qkvP.p + b * T * ld + h * Dh
                    ck_attention_forward_head(0, outP.p + b * T * D + h * Dh, D, attP.p + job * T * T, q, q + D, q + 2 * D,
                                              ld, T, Int32(Dh), scale, scratchP.p + worker * per)
                    // The two products q·kᵀ and att·v, counted as the GEMMs they replace (StepFlops checks them).
                    Profile.countGemm(m: T, n: T, k: Dh); Profile.countGemm(m: T, n: Dh, k: T)
                }
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
        guard usesHeadKernel(Dh) else {
            return GemmPrecision.$current.withValue(.fp32) {   // fp32 in both paths, as in forward
                backwardBLAS(dQKV: dQKV, dOut: dOut, qkv: qkv, att: att, batch: B, tokens: T, dim: D, heads: H,
                             workers: w, scratch: scratch, overwrite: overwrite)
            }
        }
        let scale = 1 / Float(Dh).squareRoot(), per = scratchCount(tokens: T, workers: 1)
        let dqkvP = SendablePointer(dQKV), scratchP = SendablePointer(scratch)
        let inP = SendablePointer(UnsafeMutablePointer(mutating: qkv))
        let attP = SendablePointer(UnsafeMutablePointer(mutating: att))
        let dOutP = SendablePointer(UnsafeMutablePointer(mutating: dOut))
        Parallel.forRanges(count: B * H, workers: w) { jobs, worker in
            for job in jobs {
                let b = job / H, h = job % H
                let q = inP.p + b * T * ld + h * Dh, dq = dqkvP.p + b * T * ld + h * Dh
                ck_attention_backward_head(0, dq, dq + D, dq + 2 * D, dOutP.p + b * T * D + h * Dh, D, q, q + D, q + 2 * D,
                                           ld, attP.p + job * T * T, T, Int32(Dh), scale, overwrite ? 0 : 1,
                                           scratchP.p + worker * per)
                Profile.countGemm(m: T, n: T, k: Dh); Profile.countGemm(m: T, n: Dh, k: T)
                Profile.countGemm(m: T, n: Dh, k: T); Profile.countGemm(m: T, n: Dh, k: T)
            }
        }
    }

    /// One head on an explicit CKernels path (1 baseline, 2 AVX2, 3 AVX-512), for tests of every path.
    public static func headForward(level: Int, out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, tokens: Int,
                                   headDim: Int, heads: Int) {
        let D = headDim * heads, scratch = FloatBuffer(count: scratchCount(tokens: tokens, workers: 1))
        let q = UnsafeMutablePointer(mutating: qkv)
        ck_attention_forward_head(Int32(level), out, D, att, q, q + D, q + 2 * D, 3 * D, tokens, Int32(headDim),
                                  1 / Float(headDim).squareRoot(), scratch.pointer)
    }

    /// The backward of `headForward` (overwrites head 0's dq, dk, dv in dQKV).
    public static func headBackward(level: Int, dQKV: FloatPtr, dOut: ConstFloatPtr, qkv: ConstFloatPtr,
                                    att: ConstFloatPtr, tokens: Int, headDim: Int, heads: Int) {
        let D = headDim * heads, scratch = FloatBuffer(count: scratchCount(tokens: tokens, workers: 1))
        let q = UnsafeMutablePointer(mutating: qkv)
        ck_attention_backward_head(Int32(level), dQKV, dQKV + D, dQKV + 2 * D, dOut, D, q, q + D, q + 2 * D, 3 * D, att,
                                   tokens, Int32(headDim), 1 / Float(headDim).squareRoot(), 0, scratch.pointer)
    }
}
