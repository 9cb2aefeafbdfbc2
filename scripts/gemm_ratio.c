// fp32 (ck_sgemm) against bf16 (ck_sgemm_bf16) GFLOP/s at the fmnist-tiny step's shapes, one thread, each the
// best of `reps` calls over three interleaved rounds. Time is the calling thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), so on a shared, loaded machine the ratio stays meaningful where wall time does not.
// Build and run from the repository root:
//   cd Sources/CKernels && clang -O2 -Wno-psabi -I include -I . gemm.c gemm_bf16.c kernels.c \
//       ../../scripts/gemm_ratio.c -lm -o /tmp/gemm_ratio && /tmp/gemm_ratio 10
#include "ckernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*Gemm)(int, int, long, long, long, float, const float *, long, const float *, long, float, float *, long,
                    const float *, const float *);

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double gflops(Gemm g, int tA, int tB, long m, long n, long k, float *a, float *b, float *c, int reps) {
    double best = 1e9;
    for (int r = 0; r < reps; r++) {
        double t0 = cpu_now();
        g(tA, tB, m, n, k, 1, a, tA ? m : k, b, tB ? k : n, 0, c, n, NULL, NULL);
        double t = cpu_now() - t0;
        if (t < best) best = t;
    }
    return 2.0 * m * n * k / best * 1e-9;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 7;
    if (!ck_sgemm_bf16_available()) { fprintf(stderr, "this CPU has no AVX512_BF16\n"); return 1; }
    // M, N, K, transA, transB: qkv/fc1 X·Wᵀ, fc2 X·Wᵀ, dX = dY·W, dW = dYᵀ·X (M = 128 images · 70 tokens).
    static const long shapes[][5] = {{8960, 512, 128, 0, 1}, {8960, 384, 128, 0, 1}, {8960, 128, 512, 0, 1},
                                     {8960, 128, 512, 0, 0}, {8960, 512, 128, 0, 0}, {512, 128, 8960, 1, 0},
                                     {128, 384, 8960, 1, 0}};
    float *a = malloc(4L * 8960 * 512), *b = malloc(4L * 8960 * 512), *c = malloc(4L * 8960 * 512);
    for (long i = 0; i < 8960L * 512; i++) { a[i] = (float)(i % 97) / 97 - 0.5f; b[i] = (float)(i % 89) / 89 - 0.5f; }
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const long *S = shapes[s];
        double f32 = 0, f16 = 0;
        for (int round = 0; round < 3; round++) {
            double x = gflops(ck_sgemm, (int)S[3], (int)S[4], S[0], S[1], S[2], a, b, c, reps);
            double y = gflops(ck_sgemm_bf16, (int)S[3], (int)S[4], S[0], S[1], S[2], a, b, c, reps);
            if (x > f32) f32 = x;
            if (y > f16) f16 = y;
        }
        printf("M=%5ld N=%4ld K=%5ld tA=%ld tB=%ld  fp32 %6.1f  bf16 %6.1f GFLOP/s  %.2fx\n", S[0], S[1], S[2], S[3],
               S[4], f32, f16, f16 / f32);
    }
    free(a); free(b); free(c);
    return 0;
}
