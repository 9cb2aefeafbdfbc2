// siamon's own single-precision GEMM for AVX-512 CPUs (row-major, op(A) = A or Aᵀ, op(B) = B or Bᵀ).
//
// Why it exists: OpenBLAS picks its kernels once, from OPENBLAS_CORETYPE or its own CPU detection, before
// main runs. On an AVX-512 CPU that it runs with AVX2 kernels (an environment that exports
// OPENBLAS_CORETYPE=Haswell, or a CPU model the library does not know) every matmul of the step runs at
// half the machine's rate, and siamon must not override what the user exported (docs/platform.md §1). This
// kernel gives the AVX-512 rate regardless. Blocking follows the usual GotoBLAS/BLIS scheme: B is packed
// into KC×NR micro-panels, A into MR×KC micro-panels, and a 12×32 register tile (24 zmm accumulators)
// walks them. One call is one thread; Sources/Tensor/Kernels/OwnGemm.swift splits work across threads.
#include "ckernels.h"
#include "gemm_tile.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

// KC, MC: best of a 3×3 grid (KC 256/384/512, MC 60/120/240) at the step's shapes on an AVX-512 EPYC (noisy VM).
enum { MR = CK_GEMM_MR, NR = CK_GEMM_NR, KC = 384, MC = 240, NC = 2048 };

// Per-thread packing buffers, grown on demand and kept (GCD's worker threads live for the process).
static _Thread_local float *packA = NULL, *packB = NULL;
static _Thread_local long capA = 0, capB = 0;

static float *grow(float **buf, long *cap, long need) {
    if (need <= *cap) return *buf;
    free(*buf);
    *buf = aligned_alloc(64, (size_t)((need * 4 + 63) / 64 * 64));
    *cap = *buf ? need : 0;
    return *buf;
}


// dst[p·W + r] = src[r·ld + p] for r < rows, p < kc, and 0 for rows ≤ r < W: the transposing copy both packs
// need when the panel's rows lie along memory rows. 4×4 SSE transposes run it ~3.7× faster than the scalar
// loop (0.09 vs 0.33 ns per element, 240×384 block), which matters when N is small (N = 128: ~25 % of the GEMM).
__attribute__((target("avx512f,avx512vl,avx2,fma")))
static void pack_transposed(float *dst, long W, const float *src, long ld, long rows, long kc) {
    long r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *s0 = src + r * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
        long p = 0;
        for (; p + 4 <= kc; p += 4) {
            __m128 r0 = _mm_loadu_ps(s0 + p), r1 = _mm_loadu_ps(s1 + p), r2 = _mm_loadu_ps(s2 + p), r3 = _mm_loadu_ps(s3 + p);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            _mm_storeu_ps(dst + (p + 0) * W + r, r0);
            _mm_storeu_ps(dst + (p + 1) * W + r, r1);
            _mm_storeu_ps(dst + (p + 2) * W + r, r2);
            _mm_storeu_ps(dst + (p + 3) * W + r, r3);
        }
        for (; p < kc; p++) {
            float *d = dst + p * W + r;
            d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
        }
    }
    for (; r < rows; r++) for (long p = 0; p < kc; p++) dst[p * W + r] = src[r * ld + p];
    for (; r < W; r++) for (long p = 0; p < kc; p++) dst[p * W + r] = 0;
}

// A[i0:i0+mc, p0:p0+kc] → MR-row micro-panels, each k-major (MR floats per k), rows past mc zero.
__attribute__((target("avx512f,avx512vl,avx2,fma")))
static void pack_a(float *dst, int transA, const float *a, long lda, long i0, long mc, long p0, long kc) {
    for (long ir = 0; ir < mc; ir += MR) {
        long rows = mc - ir < MR ? mc - ir : MR;
        if (transA) {   // op(A) rows are contiguous along i: one masked 12-float copy per k
            __mmask16 m = (__mmask16)((1u << rows) - 1);
            for (long p = 0; p < kc; p++) {
                const float *src = a + (p0 + p) * lda + i0 + ir;
                _mm512_mask_storeu_ps(dst + p * MR, 0x0FFF, _mm512_maskz_loadu_ps(m, src));
            }
        } else {
            pack_transposed(dst, MR, a + (i0 + ir) * lda + p0, lda, rows, kc);
        }
        dst += MR * kc;
    }
}

// B[p0:p0+kc, j0:j0+nc] → NR-column micro-panels, each k-major (NR floats per k), columns past nc zero.
__attribute__((target("avx512f,avx512vl,avx2,fma")))
static void pack_b(float *dst, int transB, const float *b, long ldb, long p0, long kc, long j0, long nc) {
    for (long jr = 0; jr < nc; jr += NR) {
        long cols = nc - jr < NR ? nc - jr : NR;
        if (!transB) {
            __mmask16 m0 = (__mmask16)(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
            __mmask16 m1 = (__mmask16)(cols >= 32 ? 0xFFFF : cols > 16 ? (1u << (cols - 16)) - 1 : 0);
            for (long p = 0; p < kc; p++) {
                const float *src = b + (p0 + p) * ldb + j0 + jr;
                _mm512_store_ps(dst + p * NR, _mm512_maskz_loadu_ps(m0, src));
                _mm512_store_ps(dst + p * NR + 16, _mm512_maskz_loadu_ps(m1, src + 16));
            }
        } else {        // Bᵀ stored [N, K]: each of the NR columns is a contiguous row of b
            pack_transposed(dst, NR, b + (j0 + jr) * ldb + p0, ldb, cols, kc);
        }
        dst += NR * kc;
    }
}

// tile[MR][NR] = Σ_p pa[p][0..MR) ⊗ pb[p][0..NR): the whole inner product in 24 accumulators.
__attribute__((target("avx512f,avx512vl,avx2,fma")))
static void kernel_12x32(long kc, const float *pa, const float *pb, float *tile) {
#define ROW(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = _mm512_setzero_ps();
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8) ROW(9) ROW(10) ROW(11)
#undef ROW
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(pb), b1 = _mm512_load_ps(pb + 16);
#define FMA(r) { __m512 av = _mm512_set1_ps(pa[r]); c##r##0 = _mm512_fmadd_ps(av, b0, c##r##0); \
                 c##r##1 = _mm512_fmadd_ps(av, b1, c##r##1); }
        FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8) FMA(9) FMA(10) FMA(11)
#undef FMA
        pa += MR;
        pb += NR;
    }
#define STORE(r) _mm512_store_ps(tile + r * NR, c##r##0); _mm512_store_ps(tile + r * NR + 16, c##r##1);
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7) STORE(8) STORE(9) STORE(10) STORE(11)
#undef STORE
}

// C[rows, cols] = alpha·tile + beta·C + bias + X (first K block; beta = 0 never reads C, so NaNs in C do not
// leak; bias, when not NULL, is added to every row; X, when not NULL, is a matrix laid out like C, e.g. the
// residual stream a Linear's output is added to), or C += alpha·tile (later K blocks).
__attribute__((target("avx512f,avx512vl,avx2,fma")))
void ck_gemm_update_c(float *c, long ldc, const float *tile, long rows, long cols, float alpha, float beta,
                      const float *bias, const float *x, int first) {
    __mmask16 m0 = (__mmask16)(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
    __mmask16 m1 = (__mmask16)(cols >= 32 ? 0xFFFF : cols > 16 ? (1u << (cols - 16)) - 1 : 0);
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps();
    if (first && bias) { b0 = _mm512_maskz_loadu_ps(m0, bias); b1 = _mm512_maskz_loadu_ps(m1, bias + 16); }
    for (long r = 0; r < rows; r++) {
        float *cr = c + r * ldc;
        __m512 t0 = _mm512_fmadd_ps(va, _mm512_load_ps(tile + r * NR), b0);
        __m512 t1 = _mm512_fmadd_ps(va, _mm512_load_ps(tile + r * NR + 16), b1);
        if (!first || beta != 0) {
            __m512 s = first ? vb : _mm512_set1_ps(1);
            t0 = _mm512_fmadd_ps(s, _mm512_maskz_loadu_ps(m0, cr), t0);
            t1 = _mm512_fmadd_ps(s, _mm512_maskz_loadu_ps(m1, cr + 16), t1);
        }
        if (first && x) {
            t0 = _mm512_add_ps(t0, _mm512_maskz_loadu_ps(m0, x + r * ldc));
            t1 = _mm512_add_ps(t1, _mm512_maskz_loadu_ps(m1, x + r * ldc + 16));
        }
        _mm512_mask_storeu_ps(cr, m0, t0);
        _mm512_mask_storeu_ps(cr + 16, m1, t1);
    }
}

// Asks for the C tile's lines before the tile's ~kc·12 cycles of FMAs, so update_c finds them in L1. Without
// it, products that accumulate into C (beta = 1: Linear's bias-filled outputs, backward's +=) ran at 296
// against 440 GFLOP/s with beta = 0 at the same shape (8960×512×128, 2 threads): the tile's 12 rows are 2 KB
// apart and the hardware prefetcher does not follow them.
__attribute__((target("avx512f,avx512vl,avx2,fma")))
void ck_gemm_prefetch_c(const float *c, long ldc, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const char *row = (const char *)(c + r * ldc);
        _mm_prefetch(row, _MM_HINT_T0);
        _mm_prefetch(row + 4 * (cols - 1), _MM_HINT_T0);
        if (cols > 16) _mm_prefetch(row + 64, _MM_HINT_T0);
    }
}

int ck_sgemm_available(void) { return ck_max_isa_level() >= 3; }

int ck_sgemm(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
             const float *b, long ldb, float beta, float *c, long ldc, const float *bias, const float *addend) {
    if (!ck_sgemm_available()) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {   // C = beta·C + bias (beta = 0 writes without reading C)
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++)
                c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + (bias ? bias[j] : 0)
                                 + (addend ? addend[i * ldc + j] : 0);
        return 0;
    }
    long ncMax = n < NC ? n : NC;
    float *pb = grow(&packB, &capB, KC * ((ncMax + NR - 1) / NR * NR));
    float *pa = grow(&packA, &capA, KC * MC);
    if (!pa || !pb) return -2;
    _Alignas(64) float tile[MR * NR];
    for (long j0 = 0; j0 < n; j0 += NC) {
        long nc = n - j0 < NC ? n - j0 : NC;
        // K in equal blocks of at most KC (512 = 2×256, not 384 + 128: a thin last block wastes a C pass).
        long kBlocks = (k + KC - 1) / KC, kStep = ((k + kBlocks - 1) / kBlocks + 7) & ~7L;
        for (long p0 = 0; p0 < k; p0 += kStep) {
            long kc = k - p0 < kStep ? k - p0 : kStep;
            pack_b(pb, transB, b, ldb, p0, kc, j0, nc);
            for (long i0 = 0; i0 < m; i0 += MC) {
                long mc = m - i0 < MC ? m - i0 : MC;
                pack_a(pa, transA, a, lda, i0, mc, p0, kc);
                for (long jr = 0; jr < nc; jr += NR) {
                    long cols = nc - jr < NR ? nc - jr : NR;
                    for (long ir = 0; ir < mc; ir += MR) {
                        long rows = mc - ir < MR ? mc - ir : MR;
                        float *ct = c + (i0 + ir) * ldc + j0 + jr;
                        const float *xt = addend && p0 == 0 ? addend + (i0 + ir) * ldc + j0 + jr : NULL;
                        ck_gemm_prefetch_c(ct, ldc, rows, cols);
                        if (xt) ck_gemm_prefetch_c(xt, ldc, rows, cols);
                        kernel_12x32(kc, pa + ir * kc, pb + jr * kc, tile);
                        ck_gemm_update_c(ct, ldc, tile, rows, cols, alpha, beta, bias ? bias + j0 + jr : NULL, xt, p0 == 0);
                    }
                }
            }
        }
    }
    return 0;
}

#else
int ck_sgemm_available(void) { return 0; }
int ck_sgemm(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
             const float *b, long ldb, float beta, float *c, long ldc, const float *bias, const float *addend) {
    (void)transA; (void)transB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)b; (void)ldb;
    (void)beta; (void)c; (void)ldc; (void)bias; (void)addend;
    return -1;
}
#endif
