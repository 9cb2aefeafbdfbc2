import Foundation
import Testing
import Tensor
import TestSupport

extension BlasStateTests {
    /// Touches the global BLAS state (thread count, fallback flag), so it runs serially.
    @Suite struct BlasTests {
        @Test func selfCheckPassesOnThisMachine() {
            #expect(BlasSetup.selfCheck() == nil, "OpenBLAS core \(Blas.coreName) failed the sgemm self-check")
            #expect(!Blas.usesNaiveFallback)
        }

        @Test func checkCatchesAWrongGemm() {
            let problem = BlasSetup.check { tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
                Blas.cblasSgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                beta: beta, c: c, ldc: ldc)
                if m > 50 { c[ldc + 1] += 0.01 }  // one wrong element in the larger shapes
            }
            #expect(problem != nil, "a gemm with one wrong element must fail the check")
            let nan = BlasSetup.check { _, _, _, _, _, _, _, _, _, _, _, c, _ in c[0] = .nan }
            #expect(nan != nil, "NaN output must fail the check")
        }

        @Test func fallbackRoutesSgemmToTheNaiveKernel() {
            var rng = SeededRNG(seed: 61)
            let (m, n, k) = (9, 11, 13)
            let a = FloatBuffer(rng.floats(m * k)), b = FloatBuffer(rng.floats(k * n))
            let (viaBlas, viaFallback, naive) = (FloatBuffer(count: m * n), FloatBuffer(count: m * n), FloatBuffer(count: m * n))
            Blas.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: viaBlas.pointer, ldc: n)
            Blas.usesNaiveFallback = true
            Blas.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: viaFallback.pointer, ldc: n)
            Blas.usesNaiveFallback = false
            Naive.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: naive.pointer, ldc: n)
            #expect(viaFallback.array == naive.array, "fallback is exactly Naive.sgemm")
            expectClose(viaBlas.array, naive.array, atol: 1e-5, rtol: 1e-5, "BLAS vs naive")
        }

        @Test func sgemmMatchesNaiveOnRandomShapes() {
            let saved = Blas.threads
            Blas.threads = 1  // deterministic summation order
            defer { Blas.threads = saved }
            propertyCheck("sgemm", cases: 30) { rng, label in
                let (m, n, k) = (rng.size(70), rng.size(70), rng.size(70))
                let (tA, tB) = (rng.int(0, 1) == 1, rng.int(0, 1) == 1)
                let a = FloatBuffer(rng.floats(m * k)), b = FloatBuffer(rng.floats(k * n)), c0 = rng.floats(m * n)
                let (fast, slow) = (FloatBuffer(c0), FloatBuffer(c0))
                let beta: Float = rng.int(0, 1) == 1 ? 1 : 0
                Blas.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.75, a: a.pointer, lda: tA ? m : k, b: b.pointer,
                           ldb: tB ? k : n, beta: beta, c: fast.pointer, ldc: n)
                Naive.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.75, a: a.pointer, lda: tA ? m : k, b: b.pointer,
                            ldb: tB ? k : n, beta: beta, c: slow.pointer, ldc: n)
                expectClose(fast.array, slow.array, atol: 1e-5 * Double(k).squareRoot(), rtol: 1e-5, label)
            }
        }

        /// The re-exec rule of docs/platform.md §1 as a truth table.
        @Test func reexecDecision() {
            let avx512: Set<String> = ["sse2", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"], avx2: Set<String> = ["sse2", "avx2"]
            #expect(BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "Prescott", cpuFlags: avx512))
            #expect(BlasSetup.shouldReexec(coreTypeEnv: "", marker: nil, coreName: "Core2", cpuFlags: avx512))
            #expect(!BlasSetup.shouldReexec(coreTypeEnv: "Prescott", marker: nil, coreName: "Prescott", cpuFlags: avx512),
                    "a user's OPENBLAS_CORETYPE is never overridden")
            #expect(!BlasSetup.shouldReexec(coreTypeEnv: nil, marker: "1", coreName: "Prescott", cpuFlags: avx512),
                    "never re-exec twice")
            #expect(!BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "Prescott", cpuFlags: avx2),
                    "no AVX-512F, no SkylakeX")
            #expect(!BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "SkylakeX", cpuFlags: avx512))
            #expect(BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "Haswell", cpuFlags: avx512),
                    "AVX2 kernels on an AVX-512 CPU (AMD EPYC): SkylakeX measured 2.2x faster")
            #expect(BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "Zen", cpuFlags: avx512))
            #expect(!BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "Haswell", cpuFlags: avx2))
            #expect(!BlasSetup.shouldReexec(coreTypeEnv: nil, marker: nil, coreName: "Prescott",
                                            cpuFlags: ["sse2", "avx2", "avx512f", "avx512cd"]),
                    "Xeon Phi: avx512f without bw/dq/vl")
        }

        /// The thread timeout is set when unset, kept when the user set it, and nothing happens twice.
        @Test func reexecEnvironmentTruthTable() {
            let avx512: Set<String> = ["avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"], avx2: Set<String> = ["avx2"]
            #expect(BlasSetup.reexecEnvironment(coreTypeEnv: nil, threadTimeoutEnv: nil, marker: nil, coreName: "Haswell",
                                                cpuFlags: avx512) == ["OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_THREAD_TIMEOUT": "4"])
            #expect(BlasSetup.reexecEnvironment(coreTypeEnv: "Haswell", threadTimeoutEnv: nil, marker: nil, coreName: "Haswell",
                                                cpuFlags: avx512) == ["OPENBLAS_THREAD_TIMEOUT": "4"], "the user's core is kept")
            #expect(BlasSetup.reexecEnvironment(coreTypeEnv: nil, threadTimeoutEnv: "20", marker: nil, coreName: "Haswell",
                                                cpuFlags: avx2) == [:], "the user's timeout is kept; AVX2-only: no core change")
            #expect(BlasSetup.reexecEnvironment(coreTypeEnv: nil, threadTimeoutEnv: nil, marker: "1", coreName: "Prescott",
                                                cpuFlags: avx512) == [:], "never re-exec twice")
        }

        /// A user's value is kept, but one that leaves AVX-512 unused gets a note naming the variable.
        @Test func slowCoreAdviceTruthTable() {
            let avx512: Set<String> = ["avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"], avx2: Set<String> = ["avx2"]
            let note = BlasSetup.slowCoreAdvice(coreTypeEnv: "Haswell", coreName: "Haswell", cpuFlags: avx512)
            #expect(note?.contains("OPENBLAS_CORETYPE=Haswell") == true)
            #expect(note?.contains("unset OPENBLAS_CORETYPE") == true)
            let own = BlasSetup.slowCoreAdvice(coreTypeEnv: "Haswell", coreName: "Haswell", cpuFlags: avx512, ownGemm: true)
            #expect(own?.contains("own AVX-512 GEMM") == true, "with the own GEMM the advice says so instead")
            #expect(BlasSetup.slowCoreAdvice(coreTypeEnv: nil, coreName: "Haswell", cpuFlags: avx512) == nil,
                    "unset: the re-exec handles it")
            #expect(BlasSetup.slowCoreAdvice(coreTypeEnv: "SkylakeX", coreName: "SkylakeX", cpuFlags: avx512) == nil)
            #expect(BlasSetup.slowCoreAdvice(coreTypeEnv: "Haswell", coreName: "Haswell", cpuFlags: avx2) == nil,
                    "an AVX2-only CPU has nothing faster")
        }

        @Test func cpuFlagsParsesTheFlagsLine() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cpuinfo-\(UUID().uuidString)").path
            try "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\nbugs\t: none\n".write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(BlasSetup.cpuFlags(cpuinfoPath: path) == ["fpu", "sse2", "avx2", "avx512f"])
            #expect(BlasSetup.cpuFlags(cpuinfoPath: path + ".missing").isEmpty)
        }
    }
}
