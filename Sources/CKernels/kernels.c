#include "ckernels.h"
#include <stdatomic.h>
#include <stdlib.h>

// Three builds of math.inc. The AVX-512 one asks for the subsets Skylake-X and Zen 4 share.
#define CK(name) ck_##name##_avx512
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#include "math.inc"
#include "attention.inc"
#pragma clang attribute pop
#undef CK

#define CK(name) ck_##name##_avx2
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "math.inc"
#include "attention.inc"
#pragma clang attribute pop
#undef CK

#define CK(name) ck_##name##_base
#include "math.inc"
#include "attention.inc"
#undef CK

static atomic_int chosen = 0;   // 0 = not decided yet

static int detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl")) return 3;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
#endif
    return 1;
}

int ck_isa_level(void) {
    int level = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (level == 0) {
        level = detect();
        // SIAMON_CKERNELS_ISA=1|2 caps the path, for A/B benchmarks in one build (never raises it).
        const char *cap = getenv("SIAMON_CKERNELS_ISA");
        if (cap && cap[0] >= '1' && cap[0] <= '3' && cap[0] - '0' < level) level = cap[0] - '0';
        atomic_store_explicit(&chosen, level, memory_order_relaxed);
    }
    return level;
}

int ck_max_isa_level(void) { return detect(); }

static int clamp_level(int level) {
    int best = detect();
    return level < 1 ? 1 : (level > best ? best : level);
}

#define DISPATCH(call_avx512, call_avx2, call_base) DISPATCH_AT(ck_isa_level(), call_avx512, call_avx2, call_base)
#define DISPATCH_AT(level, call_avx512, call_avx2, call_base) \
    switch (level) { case 3: call_avx512; break; case 2: call_avx2; break; default: call_base; }

void ck_gelu_forward(float *out, const float *x, long n) {
    DISPATCH(ck_gelu_forward_avx512(out, x, n), ck_gelu_forward_avx2(out, x, n), ck_gelu_forward_base(out, x, n))
}
void ck_gelu_backward(float *dx, const float *dy, const float *x, long n, int accumulate) {
    DISPATCH(ck_gelu_backward_avx512(dx, dy, x, n, accumulate), ck_gelu_backward_avx2(dx, dy, x, n, accumulate),
             ck_gelu_backward_base(dx, dy, x, n, accumulate))
}
void ck_softmax_forward(float *out, const float *in, long rows, long cols) {
    DISPATCH(ck_softmax_forward_avx512(out, in, rows, cols), ck_softmax_forward_avx2(out, in, rows, cols),
             ck_softmax_forward_base(out, in, rows, cols))
}
void ck_softmax_backward_inplace(float *g, const float *y, long rows, long cols) {
    DISPATCH(ck_softmax_backward_inplace_avx512(g, y, rows, cols), ck_softmax_backward_inplace_avx2(g, y, rows, cols),
             ck_softmax_backward_inplace_base(g, y, rows, cols))
}

void ck_gelu_forward_at(int level, float *out, const float *x, long n) {
    DISPATCH_AT(clamp_level(level), ck_gelu_forward_avx512(out, x, n), ck_gelu_forward_avx2(out, x, n),
                ck_gelu_forward_base(out, x, n))
}
void ck_gelu_backward_at(int level, float *dx, const float *dy, const float *x, long n, int accumulate) {
    DISPATCH_AT(clamp_level(level), ck_gelu_backward_avx512(dx, dy, x, n, accumulate),
                ck_gelu_backward_avx2(dx, dy, x, n, accumulate), ck_gelu_backward_base(dx, dy, x, n, accumulate))
}
void ck_softmax_forward_at(int level, float *out, const float *in, long rows, long cols) {
    DISPATCH_AT(clamp_level(level), ck_softmax_forward_avx512(out, in, rows, cols),
                ck_softmax_forward_avx2(out, in, rows, cols), ck_softmax_forward_base(out, in, rows, cols))
}
void ck_softmax_backward_inplace_at(int level, float *g, const float *y, long rows, long cols) {
    DISPATCH_AT(clamp_level(level), ck_softmax_backward_inplace_avx512(g, y, rows, cols),
                ck_softmax_backward_inplace_avx2(g, y, rows, cols), ck_softmax_backward_inplace_base(g, y, rows, cols))
}

void ck_attention_forward_head(int level, float *out, long ldo, float *att, const float *q, const float *k,
                               const float *v, long ld, long t, int dh, float scale, float *scratch) {
    DISPATCH_AT(level > 0 ? clamp_level(level) : ck_isa_level(),
                ck_attention_forward_head_avx512(out, ldo, att, q, k, v, ld, t, dh, scale, scratch),
                ck_attention_forward_head_avx2(out, ldo, att, q, k, v, ld, t, dh, scale, scratch),
                ck_attention_forward_head_base(out, ldo, att, q, k, v, ld, t, dh, scale, scratch))
}
void ck_attention_backward_head(int level, float *dq, float *dk, float *dv, const float *dout, long ldo,
                                const float *q, const float *k, const float *v, long ld, const float *att, long t,
                                int dh, float scale, int accumulate, float *scratch) {
    DISPATCH_AT(level > 0 ? clamp_level(level) : ck_isa_level(),
                ck_attention_backward_head_avx512(dq, dk, dv, dout, ldo, q, k, v, ld, att, t, dh, scale, accumulate, scratch),
                ck_attention_backward_head_avx2(dq, dk, dv, dout, ldo, q, k, v, ld, att, t, dh, scale, accumulate, scratch),
                ck_attention_backward_head_base(dq, dk, dv, dout, ldo, q, k, v, ld, att, t, dh, scale, accumulate, scratch))
}
