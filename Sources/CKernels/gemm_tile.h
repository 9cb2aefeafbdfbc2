// The register tile's shape and its write-back, shared by the fp32 (gemm.c) and bf16 (gemm_bf16.c) GEMMs:
// both kernels leave a 12×32 fp32 tile, so one epilogue (alpha, beta, bias row, residual addend) serves both.
#ifndef SIAMON_GEMM_TILE_H
#define SIAMON_GEMM_TILE_H

enum { CK_GEMM_MR = 12, CK_GEMM_NR = 32 };

#if defined(__x86_64__)
/// C[rows, cols] = alpha·tile + beta·C + bias + x when first (beta = 0 never reads C), else C += alpha·tile.
/// tile rows are CK_GEMM_NR floats apart and 64-byte aligned.
__attribute__((visibility("hidden")))
void ck_gemm_update_c(float *c, long ldc, const float *tile, long rows, long cols, float alpha, float beta,
                      const float *bias, const float *x, int first);
/// Prefetches the lines of a rows × cols tile of C (row stride ldc) into L1.
__attribute__((visibility("hidden")))
void ck_gemm_prefetch_c(const float *c, long ldc, long rows, long cols);
#endif

#endif
