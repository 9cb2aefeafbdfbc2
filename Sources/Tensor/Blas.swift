import CBLAS
import Synchronization

/// The only door to cblas. Row-major everywhere; `transA`/`transB` say whether A or B is read transposed.
public enum Blas {
    /// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C.
    /// After a failed `BlasSetup.selfCheck()` this routes to `Naive.sgemm` (slow but correct). On an AVX-512 CPU,
    /// products big enough go to `OwnGemm` (see there) unless SIAMON_GEMM=openblas. Inside a
    /// `GemmPrecision.current = .bf16` scope every product goes to the bf16 kernel, whatever its size, so a
    /// bf16 step has one precision throughout (runs that ask for bf16 where it cannot run are refused first).
    @inlinable
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: ConstFloatPtr, lda: Int, b: ConstFloatPtr, ldb: Int,
                             beta: Float = 0, c: FloatPtr, ldc: Int) {
        if m == 0 || n == 0 { return }
        Profile.countGemm(m: m, n: n, k: k)
        if k == 0 {
            // BLAS leaves C untouched for k = 0 only when beta = 1; make beta's meaning explicit.
            if beta != 1 { for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } } }
            return
        }
        if GemmPrecision.current == .bf16, OwnGemm.bf16Usable,
           OwnGemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                         ldb: ldb, beta: beta, c: c, ldc: ldc, precision: .bf16, workers: threads) {
            return
        }
        if naiveFallback.load(ordering: .relaxed) {
            Naive.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
            return
        }
        if OwnGemm.wants(m: m, n: n, k: k),
           OwnGemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                         ldb: ldb, beta: beta, c: c, ldc: ldc, workers: threads) {
            return
        }
        cblasSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                   beta: beta, c: c, ldc: ldc)
    }

    /// C[M,N] = op(A)·op(B) + bias (+ addend), the bias [N] added to every row and the addend, when given, a matrix
    /// laid out like C (row stride ldc) that must not alias it (Linear's forward onto the residual stream).
    /// siamon's own GEMM adds both in its epilogue; OpenBLAS and the naive fallback get C pre-filled with them and
    /// beta = 1.
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, a: ConstFloatPtr,
                             lda: Int, b: ConstFloatPtr, ldb: Int, c: FloatPtr, ldc: Int, rowBias: ConstFloatPtr,
                             addend: ConstFloatPtr? = nil) {
        if m == 0 || n == 0 { return }
        let bf16 = GemmPrecision.current == .bf16 && OwnGemm.bf16Usable
        if k > 0, bf16 || (!naiveFallback.load(ordering: .relaxed) && OwnGemm.wants(m: m, n: n, k: k)) {
            if OwnGemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                             beta: 0, c: c, ldc: ldc, bias: rowBias, addend: addend, precision: bf16 ? .bf16 : .fp32,
                             workers: threads) {
                Profile.countGemm(m: m, n: n, k: k)
                return
            }
        }
        for r in 0..<m {
            let row = c + r * ldc
            if let addend { for j in 0..<n { row[j] = addend[r * ldc + j] + rowBias[j] } } else { row.update(from: rowBias, count: n) }
        }
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: c, ldc: ldc)
    }

    /// cblas_sgemm itself, never the fallback (the self-check tests this one).
    @inlinable
    public static func cblasSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: ConstFloatPtr,
                                  lda: Int, b: ConstFloatPtr, ldb: Int, beta: Float, c: FloatPtr, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Set by `BlasSetup.selfCheck()` when OpenBLAS disagrees with the naive matmul.
    @usableFromInline static let naiveFallback = Atomic<Bool>(false)

    /// Whether `sgemm` currently uses the naive fallback instead of OpenBLAS.
    public static var usesNaiveFallback: Bool {
        get { naiveFallback.load(ordering: .relaxed) }
        set { naiveFallback.store(newValue, ordering: .relaxed) }
    }

    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    public static var config: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p)
    }
}
