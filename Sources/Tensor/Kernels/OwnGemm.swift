import CKernels
import Dispatch
import Foundation
import Synchronization

/// siamon's own AVX-512 sgemm (Sources/CKernels/gemm.c) and the policy that routes `Blas.sgemm` to it.
///
/// OpenBLAS fixes its kernels when it loads. On an AVX-512 CPU that it runs with AVX2 or generic kernels
/// (OPENBLAS_CORETYPE=Haswell exported by the machine image, or a CPU model 0.3.21 does not know) every matmul
/// runs at about half the machine's rate, and siamon keeps what the user exported (docs/platform.md §1, §2). This kernel
/// runs at the AVX-512 rate whatever the core says, matches OpenBLAS's own SkylakeX kernels shape for shape, and
/// adds Linear's bias and residual in its epilogue, so it is the default wherever the CPU has AVX-512: the
/// fmnist-tiny step (B=128, 2 threads) ran 395.5 images/s on it against 320.0 on OpenBLAS's Cooperlake kernels
/// and 241.8 on its Haswell kernels, one run (docs/benchmarks-history.md, the 2026-11-27 01:47 UTC table).
/// `SIAMON_GEMM=openblas|own|auto` overrides the choice (A/B benchmarks; auto is the default).
public enum OwnGemm {
    public enum Path: String, Sendable, Equatable { case openblas, own }

    /// The decision, apart from the process so tests cover it: `own` needs the kernel (an AVX-512 CPU) and is
    /// the default there; `openblas` only when asked for.
    public static func choose(setting: String?, kernelAvailable: Bool) -> Path {
        guard kernelAvailable else { return .openblas }
        return setting?.lowercased() == "openblas" ? .openblas : .own
    }

    /// Whether this CPU can run the kernel (AVX-512 F/BW/DQ/VL).
    public static let kernelAvailable = ck_sgemm_available() != 0

    /// This process's path, decided on first use.
    public static let path: Path = choose(setting: ProcessInfo.processInfo.environment["SIAMON_GEMM"],
                                          kernelAvailable: kernelAvailable)

    /// Below this many multiply-adds OpenBLAS's small-matrix paths win (a 13×45×300 product ran at 52 against
    /// 34 GFLOP/s): packing a 12×32 tile for a handful of rows costs more than it saves.
    @usableFromInline static let minMultiplyAdds = 1 << 16
    /// Below this many multiply-adds a second thread costs more (~10 µs hand-off) than it saves.
    @usableFromInline static let minParallelMultiplyAdds = 1 << 20

    /// Whether this CPU can run the bf16 kernel (the above plus AVX512_BF16).
    public static let bf16KernelAvailable = ck_sgemm_bf16_available() != 0

    /// Whether bf16 products run here: the kernel exists and passed the start-up self-check. bf16 has no
    /// fallback (no emulation), so a run that asks for it is refused where this is false.
    public static var bf16Usable: Bool { bf16KernelAvailable && !failedBF16SelfCheck.load(ordering: .relaxed) }

    /// Set by `BlasSetup.selfCheck()` when the bf16 kernel disagrees with `Naive.sgemmBF16`.
    @usableFromInline static let failedBF16SelfCheck = Atomic<Bool>(false)
    public static var bf16Disabled: Bool {
        get { failedBF16SelfCheck.load(ordering: .relaxed) }
        set { failedBF16SelfCheck.store(newValue, ordering: .relaxed) }
    }

    /// Whether `Blas.sgemm` should take this kernel for a product of this size.
    @inlinable
    public static func wants(m: Int, n: Int, k: Int) -> Bool {
        path == .own && m * n * k >= minMultiplyAdds && !failedSelfCheck.load(ordering: .relaxed)
    }

    /// Set by `BlasSetup.selfCheck()` when this kernel disagrees with the naive matmul: OpenBLAS takes over.
    @usableFromInline static let failedSelfCheck = Atomic<Bool>(false)
    public static var disabled: Bool {
        get { failedSelfCheck.load(ordering: .relaxed) }
        set { failedSelfCheck.store(newValue, ordering: .relaxed) }
    }

    /// C = alpha·op(A)·op(B) + beta·C (+ bias on every row) (+ addend, laid out like C) on `workers` threads,
    /// with the operands rounded to bf16 when `precision` says so; false (C untouched) when the kernel refused.
    /// The split is along the dimension whose duplicated packing costs least: rows of C (every worker packs
    /// all of B), columns (every worker packs all of A), or K (workers pack disjoint parts of both and their
    /// partial products are summed in a fixed order afterwards, so results are reproducible).
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: ConstFloatPtr,
                             lda: Int, b: ConstFloatPtr, ldb: Int, beta: Float, c: FloatPtr, ldc: Int,
                             bias: ConstFloatPtr? = nil, addend: ConstFloatPtr? = nil, precision: GemmPrecision = .fp32,
                             workers: Int) -> Bool {
        let w = m * n * k < minParallelMultiplyAdds ? 1 : max(1, workers), p = precision
        if w == 1 { return call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, addend, p) }
        let A = SendablePointer(a), B = SendablePointer(b), C = SendablePointer(c)
        let bv = bias.map { SendablePointer($0) }, xv = addend.map { SendablePointer($0) }
        switch splitDimension(m: m, n: n, k: k, workers: w) {
        case .rows:
            return allSucceed(w) { i in
                let r = chunk(i, of: w, count: m, align: 12)
                if r.isEmpty { return true }
                let ai = transA ? A.p + r.lowerBound : A.p + r.lowerBound * lda
                return call(transA, transB, r.count, n, k, alpha, ai, lda, B.p, ldb, beta, C.p + r.lowerBound * ldc, ldc,
                            bv?.p, xv.map { $0.p + r.lowerBound * ldc }, p)
            }
        case .columns:
            return allSucceed(w) { i in
                let r = chunk(i, of: w, count: n, align: 32)
                if r.isEmpty { return true }
                let bj = transB ? B.p + r.lowerBound * ldb : B.p + r.lowerBound
                return call(transA, transB, m, r.count, k, alpha, A.p, lda, bj, ldb, beta, C.p + r.lowerBound, ldc,
                            bv.map { $0.p + r.lowerBound }, xv.map { $0.p + r.lowerBound }, p)
            }
        case .depth:
            return depthSplit(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, bv, xv, p, workers: w)
        }
    }

    /// Runs body(0..<w) concurrently; true when every call returned true.
    private static func allSucceed(_ w: Int, _ body: @Sendable (Int) -> Bool) -> Bool {
        let ok = UnsafeMutablePointer<Bool>.allocate(capacity: w)
        ok.initialize(repeating: false, count: w)
        defer { ok.deallocate() }
        let flags = SendablePointer(ok)
        DispatchQueue.concurrentPerform(iterations: w) { i in flags.p[i] = body(i) }
        return !UnsafeBufferPointer(start: ok, count: w).contains(false)
    }

    enum Split: Equatable { case rows, columns, depth }

    /// The split that duplicates the least packing: rows copy B (K·N) per worker, columns copy A (M·K),
    /// depth adds one M·N partial product per extra worker and a pass to sum them.
    static func splitDimension(m: Int, n: Int, k: Int, workers: Int) -> Split {
        let rows = m >= 12 * workers ? k * n : Int.max
        let columns = n >= 32 * workers ? m * k : Int.max
        let depth = k >= 64 * workers ? 2 * m * n : Int.max
        if rows <= columns && rows <= depth { return .rows }
        return columns <= depth ? .columns : .depth
    }

    /// Worker i's share of 0..<count, boundaries rounded to `align` so tiles stay whole.
    static func chunk(_ i: Int, of w: Int, count: Int, align: Int) -> Range<Int> {
        func edge(_ j: Int) -> Int { j == w ? count : min(count, (count * j / w + align / 2) / align * align) }
        return edge(i)..<edge(i + 1)
    }

    /// Worker 0 writes alpha·A₀B₀ + beta·C (+ bias + addend) into C, the others their alpha·AᵢBᵢ into scratch
    /// (written with beta = 0, so it needs no clearing); then C += Σ scratch in worker order.
    private static func depthSplit(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                                   _ A: SendablePointer<Float>, _ lda: Int, _ B: SendablePointer<Float>, _ ldb: Int,
                                   _ beta: Float, _ C: SendablePointer<Float>, _ ldc: Int, _ bv: SendablePointer<Float>?,
                                   _ xv: SendablePointer<Float>?, _ p: GemmPrecision, workers w: Int) -> Bool {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: m * n * (w - 1))
        defer { scratch.deallocate() }
        let S = SendablePointer(scratch)
        let done = allSucceed(w) { i in
            let r = chunk(i, of: w, count: k, align: 16)
            let ap = tA ? A.p + r.lowerBound * lda : A.p + r.lowerBound
            let bp = tB ? B.p + r.lowerBound : B.p + r.lowerBound * ldb
            return i == 0
                ? call(tA, tB, m, n, r.count, alpha, ap, lda, bp, ldb, beta, C.p, ldc, bv?.p, xv?.p, p)
                : call(tA, tB, m, n, r.count, alpha, ap, lda, bp, ldb, 0, S.p + (i - 1) * m * n, n, nil, nil, p)
        }
        // A refusal happens before any write, in every worker alike (same CPU, same allocation sizes), so C is
        // either untouched or fully written here.
        guard done else { return false }
        for part in 0..<(w - 1) {
            let s = scratch + part * m * n
            for i in 0..<m {
                let row = C.p + i * ldc, src = s + i * n
                for j in 0..<n { row[j] += src[j] }
            }
        }
        return true
    }

    /// One thread's product; false when the kernel refused (no AVX-512 or AVX512_BF16, or no memory for its
    /// packing).
    @inline(__always)
    static func call(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: ConstFloatPtr,
                     _ lda: Int, _ b: ConstFloatPtr, _ ldb: Int, _ beta: Float, _ c: FloatPtr, _ ldc: Int,
                     _ bias: ConstFloatPtr? = nil, _ addend: ConstFloatPtr? = nil,
                     _ precision: GemmPrecision = .fp32) -> Bool {
        let (ta, tb) = (tA ? Int32(1) : 0, tB ? Int32(1) : 0)
        return precision == .bf16
            ? ck_sgemm_bf16(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, addend) == 0
            : ck_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, addend) == 0
    }
}
