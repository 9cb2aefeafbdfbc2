import Testing
@testable import Tensor
import TestSupport

/// siamon's AVX-512 sgemm (CKernels/gemm.c) against its naive twin, one thread and split across workers, and the
/// policy that routes `Blas.sgemm` to it.
@Suite struct OwnGemmTests {
    static let available = OwnGemm.kernelAvailable

    /// Every transpose, alpha/beta (beta 0 over NaNs must not read C), leading dimensions wider than the
    /// matrix, shapes across tile edges (MR 12, NR 32, KC 384, MC 240), one to three workers (every split).
    @Test(.enabled(if: available), arguments: [1, 2, 3])
    func matchesNaive(workers: Int) {
        propertyCheck("own sgemm workers=\(workers)", cases: 30) { rng, label in
            let big = rng.size(4) == 1   // a quarter of the cases cross KC/MC/parallel thresholds
            let m = big ? 200 + rng.size(400) : rng.size(40), n = big ? 30 + rng.size(100) : rng.size(70)
            let k = big ? 300 + rng.size(600) : rng.size(50)
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
                                     addend: addend.map { UnsafePointer($0.pointer) }, workers: workers)
            Naive.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a.pointer, lda: lda, b: b.pointer,
                        ldb: ldb, beta: beta, c: cRef.pointer, ldc: ldc)
            if let bias { for i in 0..<m { for j in 0..<n { cRef[i * ldc + j] += bias[j] } } }
            if let addend { for i in 0..<m { for j in 0..<n { cRef[i * ldc + j] += addend[i * ldc + j] } } }
            #expect(done, "\(label): the kernel refused")
            let shape = "\(label) m=\(m) n=\(n) k=\(k) tA=\(tA) tB=\(tB) alpha=\(alpha) beta=\(beta) bias=\(bias != nil) "
                + "addend=\(addend != nil)"
            // Only the m×n window is defined; the padding columns of each C row must be left as they were.
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

    /// k = 0 is C = beta·C; beta = 0 then writes zeros even over NaN.
    @Test(.enabled(if: available)) func emptyDepthScalesC() {
        let c = FloatBuffer([1, 2, Float.nan, 4])
        #expect(OwnGemm.call(false, false, 2, 2, 0, 1, c.pointer, 2, c.pointer, 2, 0, c.pointer, 2))
        #expect(c.array == [0, 0, 0, 0])
        let d = FloatBuffer([1, 2, 3, 4])
        #expect(OwnGemm.call(false, false, 2, 2, 0, 1, d.pointer, 2, d.pointer, 2, 0.5, d.pointer, 2))
        #expect(d.array == [0.5, 1, 1.5, 2])
    }

    /// Linear's entry: C = op(A)·op(B) + row bias (+ a residual matrix), through whichever GEMM this process uses and through the
    /// naive fallback (which pre-fills C with the bias), both against the naive product plus the bias.
    @Test func rowBiasEntryMatchesNaive() {
        propertyCheck("sgemm rowBias", cases: 12) { rng, label in
            let m = rng.size(300), n = rng.size(200), k = rng.size(150), tB = rng.size(2) == 1
            let a = FloatBuffer(rng.floats(m * k)), b = FloatBuffer(rng.floats(k * n)), bias = FloatBuffer(rng.floats(n))
            let ref = FloatBuffer(count: m * n)
            Naive.sgemm(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: tB ? k : n, c: ref.pointer,
                        ldc: n)
            let addend = rng.size(2) == 1 ? FloatBuffer(rng.floats(m * n)) : nil
            for i in 0..<m { for j in 0..<n { ref[i * n + j] += bias[j] + (addend?[i * n + j] ?? 0) } }
            let out = FloatBuffer(Array(repeating: .nan, count: m * n))
            Blas.sgemm(transB: tB, m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: tB ? k : n, c: out.pointer,
                       ldc: n, rowBias: bias.pointer, addend: addend.map { UnsafePointer($0.pointer) })
            expectClose(out.array, ref.array, atol: 1e-4, rtol: 1e-4, "\(label) m=\(m) n=\(n) k=\(k) tB=\(tB)")
        }
    }

    /// The start-up self-check covers this kernel too: it passes here, and a kernel with one wrong element fails.
    @Test(.enabled(if: available)) func selfCheckCoversTheKernel() {
        #expect(BlasSetup.check(gemm: BlasSetup.ownGemmForCheck) == nil)
        let wrong = BlasSetup.check { tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            BlasSetup.ownGemmForCheck(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            if m > 200 { c[3] += 0.5 }
        }
        #expect(wrong != nil)
    }

    @Test func policy() {
        // default (unset or auto): own wherever the kernel runs, whichever core OpenBLAS uses
        #expect(OwnGemm.choose(setting: nil, kernelAvailable: true) == .own)
        #expect(OwnGemm.choose(setting: "auto", kernelAvailable: true) == .own)
        // explicit settings, case-insensitive; never own without the kernel
        #expect(OwnGemm.choose(setting: "OWN", kernelAvailable: true) == .own)
        #expect(OwnGemm.choose(setting: "OpenBLAS", kernelAvailable: true) == .openblas)
        #expect(OwnGemm.choose(setting: "openblas", kernelAvailable: true) == .openblas)
        #expect(OwnGemm.choose(setting: "own", kernelAvailable: false) == .openblas)
        #expect(OwnGemm.choose(setting: nil, kernelAvailable: false) == .openblas)
    }

    /// The split duplicates the least packing: the step's X·Wᵀ splits rows, its dW = Xᵀ·dY splits depth.
    @Test func splitChoice() {
        #expect(OwnGemm.splitDimension(m: 8960, n: 512, k: 128, workers: 2) == .rows)
        #expect(OwnGemm.splitDimension(m: 128, n: 512, k: 8960, workers: 2) == .depth)
        #expect(OwnGemm.splitDimension(m: 20, n: 4096, k: 200, workers: 2) == .columns)
        // a dimension too small to share is never chosen
        #expect(OwnGemm.splitDimension(m: 13, n: 40, k: 100_000, workers: 2) == .depth)
        // chunks tile the range exactly, on tile boundaries
        for (count, w, align) in [(100, 2, 12), (8960, 3, 12), (33, 2, 32), (7, 3, 16)] {
            let parts = (0..<w).map { OwnGemm.chunk($0, of: w, count: count, align: align) }
            #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == count)
            for i in 1..<w { #expect(parts[i - 1].upperBound == parts[i].lowerBound) }
            for p in parts.dropLast() where p.upperBound < count { #expect(p.upperBound % align == 0) }
        }
    }
}
