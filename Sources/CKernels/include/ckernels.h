// Elementwise and attention kernels in C, because Swift cannot compile one function for AVX-512 and another
// for SSE2 in the same binary: these are built three times (AVX-512, AVX2+FMA, baseline) with clang's
// target attribute and picked at run time by the CPU's flags. The Swift wrappers (Sources/Tensor/Kernels) own
// threading and the contracts; their naive twins and property tests cover every path here.
#ifndef SIAMON_CKERNELS_H
#define SIAMON_CKERNELS_H
#include <stddef.h>

/// Which code path the dispatcher chose: 3 = AVX-512, 2 = AVX2+FMA, 1 = baseline x86-64 (or other arch).
int ck_isa_level(void);
/// The best level this CPU supports (what ck_isa_level picks without SIAMON_CKERNELS_ISA).
int ck_max_isa_level(void);

/// out[i] = x·Φ(x) (exact-erf GELU). out may alias x.
void ck_gelu_forward(float *out, const float *x, long n);
/// dx[i] (+)= dy[i]·(Φ(x) + x·φ(x)); accumulate = 0 overwrites.
void ck_gelu_backward(float *dx, const float *dy, const float *x, long n, int accumulate);
/// Row softmax of [rows, cols] with the row max subtracted; out may alias in.
void ck_softmax_forward(float *out, const float *in, long rows, long cols);
/// In place: g ← y ⊙ (g − Σ_j g·y) per row.
void ck_softmax_backward_inplace(float *g, const float *y, long rows, long cols);

/// The same kernels on an explicit path (clamped to what the CPU has), for tests that compare every path
/// with the naive twins without touching the process-wide choice.
void ck_gelu_forward_at(int level, float *out, const float *x, long n);
void ck_gelu_backward_at(int level, float *dx, const float *dy, const float *x, long n, int accumulate);
void ck_softmax_forward_at(int level, float *out, const float *in, long rows, long cols);
void ck_softmax_backward_inplace_at(int level, float *g, const float *y, long rows, long cols);

/// Head widths the attention kernels take (multiples of 16 up to 64); others use the BLAS path.
static inline int ck_attention_supports(int dh) { return dh > 0 && dh <= 64 && dh % 16 == 0; }
/// Floats of scratch one head needs (forward or backward): dh·tp + t·tp with tp = t rounded up to 16.
static inline long ck_attention_scratch(long t, int dh) { long tp = (t + 15) & ~15L; return (dh + t) * tp; }
/// One head: att [t][t] = softmax(scale·q·kᵀ), out = att·v. q, k, v rows have stride ld, out rows ldo.
/// level 0 = the process-wide choice; 1–3 force a path (tests).
void ck_attention_forward_head(int level, float *out, long ldo, float *att, const float *q, const float *k,
                               const float *v, long ld, long t, int dh, float scale, float *scratch);
/// One head's backward from the saved att: dv = attᵀ·dO, dq = scale·dS·k, dk = scale·dSᵀ·q, where
/// dS = att ⊙ (dP − rowsum(dP ⊙ att)) and dP = dO·vᵀ. accumulate = 0 overwrites dq, dk, dv.
void ck_attention_backward_head(int level, float *dq, float *dk, float *dv, const float *dout, long ldo,
                                const float *q, const float *k, const float *v, long ld, const float *att, long t,
                                int dh, float scale, int accumulate, float *scratch);

/// 1 when ck_sgemm can run here (the CPU has AVX-512 F/BW/DQ/VL), else 0.
int ck_sgemm_available(void);
/// C[m,n] = alpha·op(A)·op(B) + beta·C (+ bias[j] on every row when bias ≠ NULL) (+ addend[i][j] when addend ≠
/// NULL, row stride ldc, not aliasing C), row-major, op = transpose when trans* ≠ 0; one thread. beta = 0 never
/// reads C. Returns 0, or −1 when the CPU lacks AVX-512 and −2 when the packing buffers cannot be allocated
/// (both before C is touched: the caller falls back to OpenBLAS on any non-zero).
int ck_sgemm(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
             const float *b, long ldb, float beta, float *c, long ldc, const float *bias, const float *addend);

/// 1 when ck_sgemm_bf16 can run here (ck_sgemm can, and the CPU has AVX512_BF16), else 0.
int ck_sgemm_bf16_available(void);
/// ck_sgemm with A and B rounded to bf16 (round to nearest even; inputs below the smallest normal float become
/// signed zeros) and their products summed in fp32, two k at a time. Same contract otherwise: alpha, beta,
/// bias, addend, strides, one thread; returns 0, or −1 without AVX512_BF16 and −2 without memory for packing.
int ck_sgemm_bf16(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                  const float *b, long ldb, float beta, float *c, long ldc, const float *bias, const float *addend);

#endif
