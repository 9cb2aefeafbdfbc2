import Foundation

/// The OpenBLAS core-type fix (docs/platform.md §1). Debian's OpenBLAS 0.3.21 autodetects some AVX-512 CPUs as
/// "Prescott" (≈5× slower sgemm) and reads OPENBLAS_CORETYPE only when the library loads, so the fix is to
/// re-execute the process once with the variable set. A self-check then verifies sgemm against the naive
/// matmul; if they disagree, `Blas.sgemm` switches to `Naive.sgemm` (correct, ≈1 GFLOP/s) and a one-line
/// warning tells the user how to pick another core. We never override a value the user has set.
public enum BlasSetup {
    /// Set in the environment before our own re-exec, so it can never loop.
    public static let reexecMarker = "SIAMON_BLAS_REEXEC"
    /// Cores with AVX-512 kernels in OpenBLAS 0.3.21. On a CPU with AVX-512, any other core leaves speed
    /// behind: a generic one (Prescott, Core2) because the library did not recognise the model (Intel Xeons,
    /// ≈5× slower sgemm), and Haswell/Zen (AVX2 kernels) on AMD EPYC with AVX-512, where SkylakeX's kernels
    /// measured 2.2× faster at 1 thread (197 vs 91 GFLOP/s; docs/benchmarks-history.md, "OpenBLAS core on this CPU").
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    /// The AVX-512 subsets SkylakeX kernels may use; Xeon Phi has avx512f without bw/vl and must stay off it.
    static let skylakeXFlags: Set<String> = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]

    /// The decision, separated from the process so tests can cover it: re-exec only when the user left
    /// OPENBLAS_CORETYPE unset, we have not re-executed already, the core has no AVX-512 kernels and the CPU
    /// has the AVX-512 subsets SkylakeX needs. The sgemm self-check after the re-exec is the safety net.
    public static func shouldReexec(coreTypeEnv: String?, marker: String?, coreName: String,
                                    cpuFlags: Set<String>) -> Bool {
        guard coreTypeEnv == nil || coreTypeEnv == "", marker == nil else { return false }
        return !avx512Cores.contains(coreName.lowercased()) && skylakeXFlags.isSubset(of: cpuFlags)
    }

    /// A value the user set is never overridden, but one that leaves AVX-512 unused deserves a line: some
    /// machine images export OPENBLAS_CORETYPE=Haswell, which halves OpenBLAS's sgemm on AVX-512 AMD EPYCs.
    /// When siamon's own AVX-512 GEMM takes the step's products instead, the line says that.
    public static func slowCoreAdvice(coreTypeEnv: String?, coreName: String, cpuFlags: Set<String>,
                                      ownGemm: Bool = false) -> String? {
        guard let env = coreTypeEnv, !env.isEmpty, !avx512Cores.contains(coreName.lowercased()),
              skylakeXFlags.isSubset(of: cpuFlags) else { return nil }
        if ownGemm {
            return "note: OPENBLAS_CORETYPE=\(env) is set, so OpenBLAS would run its \(coreName) kernels on a CPU with "
                + "AVX-512; siamon keeps the value you set and runs its matmuls on its own AVX-512 GEMM instead "
                + "(SIAMON_GEMM=openblas to compare)."
        }
        return "note: OPENBLAS_CORETYPE=\(env) is set, so OpenBLAS runs its \(coreName) kernels on a CPU with AVX-512; "
            + "sgemm is about 2x faster with SkylakeX kernels. siamon keeps the value you set: unset OPENBLAS_CORETYPE "
            + "(or set it to SkylakeX) to use them."
    }

    /// `slowCoreAdvice` for this process.
    public static func slowCoreAdvice() -> String? {
        slowCoreAdvice(coreTypeEnv: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], coreName: Blas.coreName,
                       cpuFlags: cpuFlags(), ownGemm: OwnGemm.path == .own)
    }

    /// OpenBLAS's pthread workers spin for 2^28 cycles after every call before they sleep (0.3.21's default
    /// OPENBLAS_THREAD_TIMEOUT). Between GEMMs siamon runs its own two workers (GELU, attention, norms), and
    /// the spinning worker takes one of the two cores from them: fmnist-tiny B=128 on 2 threads measured 267 and
    /// 286 images/s (953 and 880 CPU-ms a step) with the default against 324 and 312 (708 and 733 CPU-ms) with
    /// 2^4 cycles, back to back (docs/benchmarks-history.md, 2026-11-26). Like the core, it is read only when the library loads.
    public static let threadTimeout = "4"

    /// The variables a re-exec should set, empty when none is needed: OPENBLAS_CORETYPE per `shouldReexec`, and
    /// OPENBLAS_THREAD_TIMEOUT when unset. Values the user set are never changed, and never twice (marker).
    public static func reexecEnvironment(coreTypeEnv: String?, threadTimeoutEnv: String?, marker: String?,
                                         coreName: String, cpuFlags: Set<String>) -> [String: String] {
        guard marker == nil else { return [:] }
        var env: [String: String] = [:]
        if shouldReexec(coreTypeEnv: coreTypeEnv, marker: marker, coreName: coreName, cpuFlags: cpuFlags) {
            env["OPENBLAS_CORETYPE"] = "SkylakeX"
        }
        if threadTimeoutEnv == nil || threadTimeoutEnv == "" { env["OPENBLAS_THREAD_TIMEOUT"] = threadTimeout }
        return env
    }

    /// Re-executes /proc/self/exe with the variables of `reexecEnvironment` set. Call it first thing in main,
    /// before threads start. Returns only if no re-exec was needed or execv failed.
    public static func reexecIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        let changes = reexecEnvironment(coreTypeEnv: env["OPENBLAS_CORETYPE"], threadTimeoutEnv: env["OPENBLAS_THREAD_TIMEOUT"],
                                        marker: env[reexecMarker], coreName: Blas.coreName, cpuFlags: cpuFlags())
        guard !changes.isEmpty else { return }
        // The marker names what siamon set, so reports can tell it from what the user exported.
        setenv(reexecMarker, changes.keys.sorted().joined(separator: ","), 1)
        for (k, v) in changes { setenv(k, v, 1) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned, so it failed: carry on as we are and say so when it mattered for speed.
        for k in changes.keys { unsetenv(k) }
        guard changes["OPENBLAS_CORETYPE"] != nil else { return }
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("warning: could not re-exec /proc/self/exe with OPENBLAS_CORETYPE=SkylakeX (\(reason)); sgemm runs on the slow \(Blas.coreName) core. Start with OPENBLAS_CORETYPE=SkylakeX set to fix it.\n".utf8))
    }

    /// The flags line of /proc/cpuinfo (empty where there is none).
    public static func cpuFlags(cpuinfoPath: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: cpuinfoPath, encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Checks cblas sgemm against `Naive.sgemm`. Returns nil when they agree; otherwise turns on
    /// `Blas.usesNaiveFallback` and returns a one-line warning for the user.
    public static func selfCheck() -> String? {
        if let problem = check(gemm: Blas.cblasSgemm) {
            Blas.usesNaiveFallback = true
            return "warning: OpenBLAS sgemm on core \(Blas.coreName) disagrees with the naive matmul (\(problem)); "
                + "using the slow built-in matmul. Try OPENBLAS_CORETYPE=Haswell or Prescott."
        }
        var warnings: [String] = []
        if OwnGemm.path == .own, let problem = check(gemm: ownGemmForCheck) {
            OwnGemm.disabled = true
            warnings.append("warning: siamon's own AVX-512 sgemm disagrees with the naive matmul (\(problem)); using "
                + "OpenBLAS's \(Blas.coreName) kernels instead. Please report this with the output of `lscpu`.")
        }
        if OwnGemm.bf16KernelAvailable, let problem = check(gemm: bf16GemmForCheck, reference: Naive.sgemmBF16) {
            OwnGemm.bf16Disabled = true
            warnings.append("warning: siamon's bf16 GEMM disagrees with its naive twin (\(problem)); train.precision "
                + "= bf16 is refused on this machine. Please report this with the output of `lscpu`.")
        }
        return warnings.isEmpty ? nil : warnings.joined(separator: "\n")
    }

    /// The own kernel on two workers (every split), whatever the size thresholds say.
    static func ownGemmForCheck(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: ConstFloatPtr,
                                _ lda: Int, _ b: ConstFloatPtr, _ ldb: Int, _ beta: Float, _ c: FloatPtr, _ ldc: Int) {
        _ = OwnGemm.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c, ldc: ldc, workers: 2)
    }

    /// The bf16 kernel on two workers (every split), whatever the size thresholds say.
    static func bf16GemmForCheck(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: ConstFloatPtr,
                                 _ lda: Int, _ b: ConstFloatPtr, _ ldb: Int, _ beta: Float, _ c: FloatPtr, _ ldc: Int) {
        _ = OwnGemm.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c, ldc: ldc, precision: .bf16, workers: 2)
    }

    public typealias Gemm = (Bool, Bool, Int, Int, Int, Float, ConstFloatPtr, Int, ConstFloatPtr, Int, Float, FloatPtr, Int) -> Void

    /// Runs `gemm` on shapes that hit the edge paths (1×1, odd sizes, both transposes, lda > k as attention
    /// uses, alpha/beta) and a blocked size against `reference` (the naive matmul, or the bf16 twin for the bf16
    /// kernel); returns a description of the first disagreement, or nil.
    public static func check(gemm: Gemm, reference: Gemm = Naive.sgemm) -> String? {
        // (m, n, k, transA, transB, alpha, beta, extra leading-dimension padding)
        let cases: [(Int, Int, Int, Bool, Bool, Float, Float, Int)] = [
            (1, 1, 1, false, false, 1, 0, 0), (7, 5, 3, false, false, 1, 0, 0), (33, 17, 65, false, true, 1, 0, 5),
            (65, 31, 129, true, false, 0.5, 1, 0), (96, 128, 64, true, true, 1, 0, 3), (257, 130, 200, false, false, 1, 1, 0),
        ]
        var rng = SeededRNG(seed: 0xB1A5)
        for (m, n, k, tA, tB, alpha, beta, pad) in cases {
            let (rowsA, colsA) = tA ? (k, m) : (m, k)
            let (rowsB, colsB) = tB ? (n, k) : (k, n)
            let (lda, ldb, ldc) = (colsA + pad, colsB + pad, n + pad)
            let a = FloatBuffer((0..<(rowsA * lda)).map { _ in Float(rng.normal()) })
            let b = FloatBuffer((0..<(rowsB * ldb)).map { _ in Float(rng.normal()) })
            let c0 = (0..<(m * ldc)).map { _ in Float(rng.normal()) }
            let fast = FloatBuffer(c0), slow = FloatBuffer(c0)
            gemm(tA, tB, m, n, k, alpha, a.pointer, lda, b.pointer, ldb, beta, fast.pointer, ldc)
            reference(tA, tB, m, n, k, alpha, a.pointer, lda, b.pointer, ldb, beta, slow.pointer, ldc)
            // Float summation of k normal products: error ≈ √k·eps·|terms|; 1e-4·√k leaves a wide margin,
            // while a wrong kernel gives O(1) errors or NaN.
            let tol = 1e-4 * Double(k).squareRoot()
            for i in 0..<(m * ldc) {
                let err = abs(Double(fast[i]) - Double(slow[i]))
                if !(err <= tol * (1 + abs(Double(slow[i])))) {
                    return "m=\(m) n=\(n) k=\(k) transA=\(tA) transB=\(tB): element \(i) is \(fast[i]), expected \(slow[i])"
                }
            }
        }
        return nil
    }
}
