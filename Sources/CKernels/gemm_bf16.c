// siamon's bf16 GEMM for CPUs with AVX512_BF16: C = alpha·op(A)·op(B) + beta·C (+ bias) (+ addend) in fp32,
// with A and B rounded to bf16 (round to nearest even, vcvtne2ps2bf16) while they are packed and the products
// summed in fp32 by vdpbf16ps. One vdpbf16ps does two multiply-adds per lane where vfmadd231ps does one, so the
// same 12×32 tile as gemm.c walks K twice as fast, and the packed panels take half the cache. Blocking follows
// gemm.c; the panels hold K in pairs: one 32-bit word is (op(X)[2q], op(X)[2q+1]) of one row or column, the
// even k in the low half, which is the layout vdpbf16ps multiplies lane by lane. An odd K pads a zero.
#include "ckernels.h"
#include "gemm_tile.h"
#include <stdint.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16")))

// KC counts K elements (KC/2 words per panel row): 512 keeps the step's K ≤ 512 products in one block, and a
// 12×256-word A panel plus a 256×32-word B panel (44 KB) still fit the 48 KB L1 of Zen 5.
enum { MR = CK_GEMM_MR, NR = CK_GEMM_NR, KC = 512, MC = 240, NC = 2048 };

// Per-thread packing buffers, grown on demand and kept (GCD's worker threads live for the process).
static _Thread_local uint32_t *packA = NULL, *packB = NULL;
static _Thread_local long capA = 0, capB = 0;

static uint32_t *grow(uint32_t **buf, long *cap, long need) {
    if (need <= *cap) return *buf;
    free(*buf);
    *buf = aligned_alloc(64, (size_t)((need * 4 + 63) / 64 * 64));
    *cap = *buf ? need : 0;
    return *buf;
}

// 32 floats, 16 pairs: word q of the result is (bf16(lo..hi)[2q], [2q+1]), the even one in the low half.
BF16_TARGET static inline __m512i to_pairs(__m512 lo, __m512 hi) {
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

// dst[q·W + j] = (src[2q][j], src[2q+1][j]) as bf16 for j < cols, 0 for cols ≤ j < W, k = 2q+1 ≥ kc zero:
// the packing for panels whose rows lie along memory columns (op(A) = Aᵀ, op(B) = B). One conversion and one
// word shuffle make 16 pairs from two rows.
BF16_TARGET static void pack_row_pairs(uint32_t *dst, long W, const float *src, long ld, long cols, long kc) {
    static const short interleave[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                         8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i idx = _mm512_loadu_si512(interleave);
    long kc2 = (kc + 1) / 2;
    for (long j = 0; j < W; j += 16) {
        long have = cols - j, room = W - j;
        __mmask16 load = (__mmask16)(have >= 16 ? 0xFFFF : have > 0 ? (1u << have) - 1 : 0);
        __mmask16 store = (__mmask16)(room >= 16 ? 0xFFFF : (1u << room) - 1);
        for (long q = 0; q < kc2; q++) {
            const float *x = src + 2 * q * ld + j;
            __m512 even = _mm512_maskz_loadu_ps(load, x);
            __m512 odd = 2 * q + 1 < kc ? _mm512_maskz_loadu_ps(load, x + ld) : _mm512_setzero_ps();
            __m512i halves = (__m512i)_mm512_cvtne2ps_pbh(odd, even);   // [bf16(even) 0..15, bf16(odd) 0..15]
            _mm512_mask_storeu_epi32(dst + q * W + j, store, _mm512_permutexvar_epi16(idx, halves));
        }
    }
}

// Stores lane L of u (words q0+4L+s of rows r..r+3, for the s this u holds) at dst[(q0+4L+s)·W + r].
#define STORE_LANES(u, s)                                                                                        \
    if (4 * 0 + (s) < nq) _mm_storeu_si128((__m128i *)(dst + (q0 + 0 + (s)) * W + r), _mm512_castsi512_si128(u)); \
    if (4 * 1 + (s) < nq) _mm_storeu_si128((__m128i *)(dst + (q0 + 4 + (s)) * W + r), _mm512_extracti32x4_epi32(u, 1)); \
    if (4 * 2 + (s) < nq) _mm_storeu_si128((__m128i *)(dst + (q0 + 8 + (s)) * W + r), _mm512_extracti32x4_epi32(u, 2)); \
    if (4 * 3 + (s) < nq) _mm_storeu_si128((__m128i *)(dst + (q0 + 12 + (s)) * W + r), _mm512_extracti32x4_epi32(u, 3));

// dst[q·W + r] = (src[r][2q], src[r][2q+1]) as bf16 for r < rows, 0 for rows ≤ r < W (W a multiple of 4),
// k = 2q+1 ≥ kc zero: the packing for panels whose rows lie along memory rows (op(A) = A, op(B) = Bᵀ). A pair
// is already adjacent in memory, so a row converts straight to words and four rows are transposed 4×4 in
// each 128-bit lane (16 pairs × 4 rows per round).
BF16_TARGET static void pack_k_pairs(uint32_t *dst, long W, const float *src, long ld, long rows, long kc) {
    long kc2 = (kc + 1) / 2;
    for (long q0 = 0; q0 < kc2; q0 += 16) {
        long left = kc - 2 * q0, nq = kc2 - q0 < 16 ? kc2 - q0 : 16;
        __mmask16 m0 = (__mmask16)(left >= 16 ? 0xFFFF : (1u << left) - 1);
        __mmask16 m1 = (__mmask16)(left >= 32 ? 0xFFFF : left > 16 ? (1u << (left - 16)) - 1 : 0);
        for (long r = 0; r < W; r += 4) {
            __m512i v[4];
            for (int i = 0; i < 4; i++) {
                const float *s = src + (r + i) * ld + 2 * q0;
                v[i] = r + i < rows ? to_pairs(_mm512_maskz_loadu_ps(m0, s), _mm512_maskz_loadu_ps(m1, s + 16))
                                    : _mm512_setzero_si512();
            }
            __m512i t0 = _mm512_unpacklo_epi32(v[0], v[1]), t1 = _mm512_unpackhi_epi32(v[0], v[1]);
            __m512i t2 = _mm512_unpacklo_epi32(v[2], v[3]), t3 = _mm512_unpackhi_epi32(v[2], v[3]);
            __m512i u0 = _mm512_unpacklo_epi64(t0, t2), u1 = _mm512_unpackhi_epi64(t0, t2);
            __m512i u2 = _mm512_unpacklo_epi64(t1, t3), u3 = _mm512_unpackhi_epi64(t1, t3);
            STORE_LANES(u0, 0) STORE_LANES(u1, 1) STORE_LANES(u2, 2) STORE_LANES(u3, 3)
        }
    }
}
#undef STORE_LANES

// A[i0:i0+mc, p0:p0+kc] → MR-row micro-panels of ⌈kc/2⌉ × MR words, rows past mc zero.
BF16_TARGET static void pack_a(uint32_t *dst, int transA, const float *a, long lda, long i0, long mc, long p0,
                               long kc) {
    for (long ir = 0; ir < mc; ir += MR) {
        long rows = mc - ir < MR ? mc - ir : MR;
        if (transA) pack_row_pairs(dst, MR, a + p0 * lda + i0 + ir, lda, rows, kc);
        else pack_k_pairs(dst, MR, a + (i0 + ir) * lda + p0, lda, rows, kc);
        dst += MR * ((kc + 1) / 2);
    }
}

// B[p0:p0+kc, j0:j0+nc] → NR-column micro-panels of ⌈kc/2⌉ × NR words, columns past nc zero.
BF16_TARGET static void pack_b(uint32_t *dst, int transB, const float *b, long ldb, long p0, long kc, long j0,
                               long nc) {
    for (long jr = 0; jr < nc; jr += NR) {
        long cols = nc - jr < NR ? nc - jr : NR;
        if (!transB) pack_row_pairs(dst, NR, b + p0 * ldb + j0 + jr, ldb, cols, kc);
        else pack_k_pairs(dst, NR, b + (j0 + jr) * ldb + p0, ldb, cols, kc);
        dst += NR * ((kc + 1) / 2);
    }
}

// tile[MR][NR] = Σ_q pa[q][0..MR) · pb[q][0..NR), each term a pair of bf16 products: 24 accumulators, two
// B loads and twelve broadcast A pairs per two k.
BF16_TARGET static void kernel_12x32(long kc2, const uint32_t *pa, const uint32_t *pb, float *tile) {
#define ROW(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = _mm512_setzero_ps();
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8) ROW(9) ROW(10) ROW(11)
#undef ROW
    for (long q = 0; q < kc2; q++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512(pb), b1 = (__m512bh)_mm512_load_si512(pb + 16);
#define DOT(r) { __m512bh av = (__m512bh)_mm512_set1_epi32((int)pa[r]); c##r##0 = _mm512_dpbf16_ps(c##r##0, av, b0); \
                 c##r##1 = _mm512_dpbf16_ps(c##r##1, av, b1); }
        DOT(0) DOT(1) DOT(2) DOT(3) DOT(4) DOT(5) DOT(6) DOT(7) DOT(8) DOT(9) DOT(10) DOT(11)
#undef DOT
        pa += MR;
        pb += NR;
    }
#define STORE(r) _mm512_store_ps(tile + r * NR, c##r##0); _mm512_store_ps(tile + r * NR + 16, c##r##1);
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7) STORE(8) STORE(9) STORE(10) STORE(11)
#undef STORE
}

int ck_sgemm_bf16_available(void) {
    __builtin_cpu_init();
    return ck_sgemm_available() && __builtin_cpu_supports("avx512bf16");
}

// One K block of C's columns j0..j0+nc: packs B once, then A in MC-row blocks, and runs every tile.
BF16_TARGET static void k_block(int transA, int transB, long m, long j0, long nc, long p0, long kc, float alpha,
                                const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                                const float *bias, const float *addend, uint32_t *pa, uint32_t *pb) {
    _Alignas(64) float tile[MR * NR];
    long kc2 = (kc + 1) / 2;
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
                kernel_12x32(kc2, pa + ir * kc2, pb + jr * kc2, tile);
                ck_gemm_update_c(ct, ldc, tile, rows, cols, alpha, beta, bias ? bias + j0 + jr : NULL, xt, p0 == 0);
            }
        }
    }
}

int ck_sgemm_bf16(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                  const float *b, long ldb, float beta, float *c, long ldc, const float *bias, const float *addend) {
    if (!ck_sgemm_bf16_available()) return -1;
    if (m <= 0 || n <= 0) return 0;
    // No products to round: C = beta·C + bias + addend is the fp32 kernel's.
    if (k <= 0) return ck_sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, addend);
    long ncMax = n < NC ? n : NC;
    uint32_t *pb = grow(&packB, &capB, KC / 2 * ((ncMax + NR - 1) / NR * NR));
    uint32_t *pa = grow(&packA, &capA, KC / 2 * MC);
    if (!pa || !pb) return -2;
    for (long j0 = 0; j0 < n; j0 += NC) {
        long nc = n - j0 < NC ? n - j0 : NC;
        // K in equal blocks of at most KC, each even so that no pair straddles two blocks.
        long kBlocks = (k + KC - 1) / KC, kStep = ((k + kBlocks - 1) / kBlocks + 7) & ~7L;
        for (long p0 = 0; p0 < k; p0 += kStep) {
            long kc = k - p0 < kStep ? k - p0 : kStep;
            k_block(transA, transB, m, j0, nc, p0, kc, alpha, a, lda, b, ldb, beta, c, ldc, bias, addend, pa, pb);
        }
    }
    return 0;
}

#else
int ck_sgemm_bf16_available(void) { return 0; }
int ck_sgemm_bf16(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                  const float *b, long ldb, float beta, float *c, long ldc, const float *bias, const float *addend) {
    (void)transA; (void)transB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)b; (void)ldb;
    (void)beta; (void)c; (void)ldc; (void)bias; (void)addend;
    return -1;
}
#endif
