import Testing
@testable import Tensor
import TestSupport

/// siamon's bf16 GEMM (CKernels/gemm_bf16.c) against its naive twin (`Naive.sgemmBF16`), one thread and split
/// across workers, the rounding it applies, and how `Blas.sgemm` routes to it.
@Suite struct OwnGemmBF16Tests {
    static let available = OwnGemm.bf16KernelAvailable

    /// Every transpose, alpha/beta (beta 0 over NaNs must not read C), leading dimensions wider than the
    /// matrix, odd K (a zero pads the last pair), shapes across tile and block edges (MR 12, NR 32, KC 512,
    /// MC 240), bias and residual addend, one to three workers (every split). Products of bf16 values are exact
    /// in fp32, so only the summation order separates kernel and twin: the fp32 GEMM's tolerance holds.
    @Test(.enabled(if: available), arguments: [1, 2, 3])
    func matchesNaive(workers: Int) {
        propertyCheck("bf16 gemm workers=\(workers)", cases: 30) { rng, label in
            let big = rng.size(4) == 1   // a quarter of the cases cross KC/MC/parallel thresholds
            let m = big ? 200 + rng.size(400) : rng.size(40), n = big ? 30 + rng.size(100) : rng.size(70)
            let k = big ? 300 + rng.size(900) : rng.size(50)
            let tA = rng.size(2) == 1, tB = rng.size(2) == 1
            let lda = (tA ? m : k) + rng.size(3) - 1, ldb = (tB ? k : n) + rng.size(3) - 1, ldc = n + rng.size(3) - 1
            let a = FloatBuffer(rng.floats((tA ? k : m) * lda)), b = FloatBuffer(rng.floats((tB ? n : k) * ldb))
            let alpha: Float = [1, 0.5, -2][rng.size(3) - 1], beta: Float = [0, 1, 0.25][rng.size(3) - 1]
            let start = beta == 0 ? Array(repeating: Float.nan, count: m * ldc) : rng.floats(m * ldc)
            let (cOwn, cRef) = (FloatBuffer(start), FloatBuffer(start))
            let bias = rng.size(2) == 1 ? FloatBuffer(rng.floats(n)) : nil
            let addend = rng.size(2) == 1 ? FloatBuffer(rng.floats(m * ldc)) : nil
            let done = OwnGemm.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a.pointer, lda: lda,
                                     b: b.pointer, ldb: ldb, beta: beta, c: cOwn.pointer, ldc: ldc,
                                     bias: bias.map { UnsafePointer($0.pointer) },
                                     addend: addend.map { UnsafePointer($0.pointer) }, precision: .bf16, workers: workers)
            Naive.sgemmBF16(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a.pointer, lda: lda,
                            b: b.pointer, ldb: ldb, beta: beta, c: cRef.pointer, ldc: ldc)
            if let bias { for i in 0..<m { for j in 0..<n { cRef[i * ldc + j] += bias[j] } } }
            if let addend { for i in 0..<m { for j in 0..<n { cRef[i * ldc + j] += addend[i * ldc + j] } } }
            #expect(done, "\(label): the kernel refused")
            let shape = "\(label) m=\(m) n=\(n) k=\(k) tA=\(tA) tB=\(tB) alpha=\(alpha) beta=\(beta) bias=\(bias != nil) "
                + "addend=\(addend != nil)"
            let (own, ref) = (cOwn.array, cRef.array)
            var (wOwn, wRef, padOK): ([Float], [Float], Bool) = ([], [], true)
            for i in 0..<m {
                let row = i * ldc
                wOwn += own[row ..< row + n]
                wRef += ref[row ..< row + n]
                for j in n..<ldc where own[row + j].bitPattern != start[row + j].bitPattern { padOK = false }
            }
            expectClose(wOwn, wRef, atol: 2e-5 * Double(k).squareRoot(), rtol: 1e-4, shape)
            #expect(padOK, "\(shape): wrote outside the m×n window")
        }
    }

    /// The kernel's rounding is the twin's: C = 1·b through a 1×n×1 product is bf16(b) exactly, over random bit
    /// patterns plus ties, subnormals, infinities and NaN (a zero's sign is lost to the fp32 sum, 0 + −0 = +0).
    @Test(.enabled(if: available)) func roundingMatchesTwin() {
        var rng = SeededRNG(seed: 0xBF16)
        var values: [Float] = [1, 1.00390625, 1.01171875, 1.0 + 1.0 / 256 + 1e-7, -2.71828, 1e-40, -1e-40, 1.2e-38,
                               .infinity, -.infinity, .nan, 3.4e38, 0, -0.0]
        for _ in 0..<4096 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
        let n = values.count, one = FloatBuffer([1]), b = FloatBuffer(values), c = FloatBuffer(count: n)
        #expect(OwnGemm.call(false, false, 1, n, 1, 1, one.pointer, 1, b.pointer, n, 0, c.pointer, n, nil, nil, .bf16))
        var mismatches: [String] = []
        for (x, got) in zip(values, c.array) {
            let want = Naive.bf16(x)
            let same = got.isNaN ? want.isNaN : got == want
            if !same && mismatches.count < 5 { mismatches.append("\(x): kernel \(got), twin \(want)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(Naive.bf16(1 + 1.0 / 512) == 1, "a tie rounds to even")
        #expect(Naive.bf16(1 + 3.0 / 512) == 1 + 4.0 / 512, "a tie rounds to even (up)")
    }

    /// k = 0 is C = beta·C (+ bias, addend) as in the fp32 kernel; beta = 0 writes zeros even over NaN.
    @Test(.enabled(if: available)) func emptyDepthScalesC() {
        let c = FloatBuffer([1, 2, Float.nan, 4])
        #expect(OwnGemm.call(false, false, 2, 2, 0, 1, c.pointer, 2, c.pointer, 2, 0, c.pointer, 2, nil, nil, .bf16))
        #expect(c.array == [0, 0, 0, 0])
        let d = FloatBuffer([1, 2, 3, 4])
        #expect(OwnGemm.call(false, false, 2, 2, 0, 1, d.pointer, 2, d.pointer, 2, 0.5, d.pointer, 2, nil, nil, .bf16))
        #expect(d.array == [0.5, 1, 1.5, 2])
    }

    /// Inside a bf16 scope `Blas.sgemm` (both entries, every size) gives the bf16 product; outside it, and on
    /// other tasks, fp32.
    @Test(.enabled(if: available)) func blasRoutesByScope() {
        propertyCheck("Blas bf16 scope", cases: 10) { rng, label in
            let m = rng.size(100), n = rng.size(80), k = 20 + rng.size(100), tB = rng.size(2) == 1
            let a = FloatBuffer(rng.floats(m * k)), b = FloatBuffer(rng.floats(k * n)), bias = FloatBuffer(rng.floats(n))
            let ldb = tB ? k : n
            let (ref16, ref32) = (FloatBuffer(count: m * n), FloatBuffer(count: m * n))
            Naive.sgemmBF16(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: ldb, c: ref16.pointer, ldc: n)
            Naive.sgemm(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: ldb, c: ref32.pointer, ldc: n)
            let (plain, biased, outside) = (FloatBuffer(count: m * n), FloatBuffer(count: m * n), FloatBuffer(count: m * n))
            GemmPrecision.$current.withValue(.bf16) {
                Blas.sgemm(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: ldb, c: plain.pointer, ldc: n)
                Blas.sgemm(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: ldb, c: biased.pointer,
                           ldc: n, rowBias: bias.pointer)
            }
            Blas.sgemm(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: ldb, c: outside.pointer, ldc: n)
            let tol = 2e-5 * Double(k).squareRoot(), shape = "\(label) m=\(m) n=\(n) k=\(k) tB=\(tB)"
            expectClose(plain.array, ref16.array, atol: tol, rtol: 1e-4, shape)
            var refBiased = ref16.array
            for i in 0..<m { for j in 0..<n { refBiased[i * n + j] += bias[j] } }
            expectClose(biased.array, refBiased, atol: tol, rtol: 1e-4, shape + " rowBias")
            expectClose(outside.array, ref32.array, atol: 1e-4, rtol: 1e-4, shape + " outside the scope")
        }
    }

    /// The start-up self-check covers the bf16 kernel: it passes against the twin, a kernel with one wrong
    /// element fails, and the fp32 reference would not accept bf16 results (the check is not vacuous).
    @Test(.enabled(if: available)) func selfCheckCoversTheKernel() {
        #expect(BlasSetup.check(gemm: BlasSetup.bf16GemmForCheck, reference: Naive.sgemmBF16) == nil)
        let wrong = BlasSetup.check(gemm: { tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            BlasSetup.bf16GemmForCheck(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            if m > 200 { c[3] += 0.5 }
        }, reference: Naive.sgemmBF16)
        #expect(wrong != nil)
        #expect(BlasSetup.check(gemm: BlasSetup.bf16GemmForCheck) != nil)
    }

    /// bf16 is refused with one line where the kernel cannot run, never emulated; fp32 always runs.
    @Test func refusal() {
        let line = GemmPrecision.refusal(.bf16, kernelAvailable: false)
        #expect(line != nil && line?.contains("\n") == false && line?.contains("avx512_bf16") == true)
        #expect(GemmPrecision.refusal(.bf16, kernelAvailable: true) == nil)
        #expect(GemmPrecision.refusal(.fp32, kernelAvailable: false) == nil)
        if !OwnGemm.bf16KernelAvailable { #expect(GemmPrecision.refusal(.bf16) != nil) }
    }
}
