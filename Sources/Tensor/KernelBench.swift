import Foundation

/// One benchmark result: the best per-call time of a kernel at one shape and thread count.
public struct KernelBenchRow: Sendable, Codable, Equatable {
    public let name: String
    public let shape: String
    public let threads: Int
    /// GFLOP/s for matrix kernels, Gelem/s for elementwise/normalisation kernels (see `unit`).
    public let rate: Double
    public let unit: String
    public let milliseconds: Double
}

/// Kernel throughput at the fmnist-tiny shapes (M = B·L up to 256·70, K and N in {128, 512}).
/// Each figure is the best of `repeats` measurements, each of which repeats the call for ≥ 0.3 s.
public enum KernelBench {
    public static func run(threads: [Int], quick: Bool) -> [KernelBenchRow] {
        let saved = Blas.threads
        defer { Blas.threads = saved }
        let timing = Timing(minSeconds: quick ? 0.1 : 0.3, repeats: quick ? 1 : 3)
        var rows: [KernelBenchRow] = []
        for t in threads {
            Blas.threads = t
            rows += sgemmRows(threads: t, quick: quick, timing: timing)
            rows += normRows(threads: t, timing: timing)
            rows += attentionRows(threads: t, timing: timing)
        }
        return rows
    }

    struct Timing {
        let minSeconds: Double
        let repeats: Int

        /// Best seconds per call of `body` (after one warm-up call).
        func best(_ body: () -> Void) -> Double {
            body()
            var best = Double.infinity
            for _ in 0..<repeats {
                var calls = 0
                let start = DispatchTime.now().uptimeNanoseconds
                var elapsed = 0.0
                repeat {
                    body()
                    calls += 1
                    elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                } while elapsed < minSeconds
                best = Swift.min(best, elapsed / Double(calls))
            }
            return best
        }
    }

    static func random(_ count: Int, seed: UInt64) -> FloatBuffer {
        var rng = SeededRNG(seed: seed)
        let b = FloatBuffer(count: count)
        for i in 0..<count { b[i] = Float(rng.uniform(-1, 1)) }
        return b
    }

    /// (label, M, N, K, transA, transB): Linear forward (X·Wᵀ), the plain product of the done-criterion,
    /// dX = dY·W and dW = dYᵀ·X at M = 256·70 tokens.
    static func sgemmShapes(quick: Bool) -> [(String, Int, Int, Int, Bool, Bool)] {
        let full: [(String, Int, Int, Int, Bool, Bool)] = [
            ("sgemm NN", 16384, 512, 128, false, false),
            ("sgemm X·Wᵀ", 17920, 128, 128, false, true),
            ("sgemm X·Wᵀ", 17920, 512, 128, false, true),
            ("sgemm X·Wᵀ", 17920, 128, 512, false, true),
            ("sgemm dY·W", 17920, 128, 512, false, false),
            ("sgemm dYᵀ·X", 512, 128, 17920, true, false),
        ]
        return quick ? [full[0], full[3]] : full
    }

    /// Every shape in fp32, then, where the CPU runs the bf16 kernel, every shape again in bf16 (same run, so
    /// the two rates compare).
    static func sgemmRows(threads: Int, quick: Bool, timing: Timing) -> [KernelBenchRow] {
        let precisions: [GemmPrecision] = OwnGemm.bf16Usable ? [.fp32, .bf16] : [.fp32]
        return precisions.flatMap { precision in
            sgemmShapes(quick: quick).map { label, m, n, k, tA, tB in
                let a = random(m * k, seed: 1), b = random(k * n, seed: 2), c = FloatBuffer(count: m * n)
                let s = GemmPrecision.$current.withValue(precision) {
                    timing.best {
                        Blas.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, a: a.pointer, lda: tA ? m : k, b: b.pointer,
                                   ldb: tB ? k : n, c: c.pointer, ldc: n)
                    }
                }
                let name = precision == .bf16 ? label.replacingOccurrences(of: "sgemm", with: "bf16 gemm") : label
                return KernelBenchRow(name: name, shape: "M=\(m) N=\(n) K=\(k)", threads: threads,
                                      rate: 2 * Double(m * n * k) / s * 1e-9, unit: "GFLOP/s", milliseconds: s * 1e3)
            }
        }
    }

    /// LayerNorm at [256·70, 128] and GELU at [256·70, 512] (the MLP hidden width). Single-threaded kernels:
    /// `threads` only records the BLAS setting they ran under.
    static func normRows(threads: Int, timing: Timing) -> [KernelBenchRow] {
        let (R, C, Hd) = (17920, 128, 512)
        let x = random(R * Hd, seed: 3), y = FloatBuffer(count: R * Hd), dy = random(R * Hd, seed: 4)
        let dx = FloatBuffer(count: R * Hd), w = random(C, seed: 5), b = random(C, seed: 6)
        let (mean, rstd, dw, db) = (FloatBuffer(count: R), FloatBuffer(count: R), FloatBuffer(count: C), FloatBuffer(count: C))
        func row(_ name: String, _ shape: String, _ n: Int, _ body: () -> Void) -> KernelBenchRow {
            let s = timing.best(body)
            return KernelBenchRow(name: name, shape: shape, threads: threads, rate: Double(n) / s * 1e-9,
                                  unit: "Gelem/s", milliseconds: s * 1e3)
        }
        return [
            row("layernorm fwd", "R=\(R) C=\(C)", R * C) {
                LayerNorm.forward(out: y.pointer, mean: mean.pointer, rstd: rstd.pointer, input: x.pointer, weight: w.pointer,
                                  bias: b.pointer, rows: R, channels: C, eps: 1e-6)
            },
            row("layernorm bwd", "R=\(R) C=\(C)", R * C) {
                LayerNorm.backward(dInput: dx.pointer, dWeight: dw.pointer, dBias: db.pointer, dOut: dy.pointer,
                                   input: x.pointer, weight: w.pointer, mean: mean.pointer, rstd: rstd.pointer,
                                   rows: R, channels: C)
            },
            row("gelu fwd", "n=\(R)×\(Hd)", R * Hd) { GELU.forward(out: y.pointer, input: x.pointer, count: R * Hd) },
            row("gelu bwd", "n=\(R)×\(Hd)", R * Hd) {
                GELU.backward(dInput: dx.pointer, dOut: dy.pointer, input: x.pointer, count: R * Hd)
            },
        ]
    }

    /// Attention B=256, T=50, D=128, H=4 with `threads` workers over (b, h). FLOPs count the GEMMs only:
    /// forward 4·B·T²·D, backward 8·B·T²·D.
    static func attentionRows(threads: Int, timing: Timing) -> [KernelBenchRow] {
        let (B, T, D, H) = (256, 50, 128, 4)
        let qkv = random(B * T * 3 * D, seed: 7), dy = random(B * T * D, seed: 8)
        let (out, att, dqkv) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * H * T * T), FloatBuffer(count: qkv.count))
        let scratch = FloatBuffer(count: Attention.scratchCount(tokens: T, workers: threads))
        let shape = "B=\(B) T=\(T) D=\(D) H=\(H)"
        let flops = 4 * Double(B * T * T * D)
        let fwd = timing.best {
            Attention.forward(out: out.pointer, att: att.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D,
                              heads: H, workers: threads)
        }
        let bwd = timing.best {
            Attention.backward(dQKV: dqkv.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: att.pointer, batch: B,
                               tokens: T, dim: D, heads: H, workers: threads, scratch: scratch.pointer)
        }
        return [
            KernelBenchRow(name: "attention fwd", shape: shape, threads: threads, rate: flops / fwd * 1e-9,
                           unit: "GFLOP/s", milliseconds: fwd * 1e3),
            KernelBenchRow(name: "attention bwd", shape: shape, threads: threads, rate: 2 * flops / bwd * 1e-9,
                           unit: "GFLOP/s", milliseconds: bwd * 1e3),
        ]
    }
}
