extension Naive {
    /// x rounded to bfloat16 and widened back, as vcvtne2ps2bf16 does it: round to nearest even on the upper
    /// 16 bits; NaNs stay NaN (quieted); zeros and subnormals become a zero of the same sign (the instruction
    /// treats subnormal inputs as zero).
    public static func bf16(_ x: Float) -> Float {
        let u = x.bitPattern
        if u & 0x7F80_0000 == 0 { return Float(bitPattern: u & 0x8000_0000) }
        if x.isNaN { return Float(bitPattern: (u | 0x0040_0000) & 0xFFFF_0000) }
        return Float(bitPattern: (u &+ 0x7FFF &+ ((u >> 16) & 1)) & 0xFFFF_0000)
    }

    /// The bf16 GEMM's twin: C[M,N] = alpha · bf16(op(A)) · bf16(op(B)) + beta · C. Each product of two bf16
    /// values is exact in fp32, so the kernel and this loop differ only in how the sum is rounded (fp32 in
    /// pairs there, Double here): the same tolerance as the fp32 GEMM's applies.
    public static func sgemmBF16(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                                 alpha: Float = 1, a: ConstFloatPtr, lda: Int, b: ConstFloatPtr, ldb: Int,
                                 beta: Float = 0, c: FloatPtr, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(bf16(av)) * Double(bf16(bv))
                }
                let prior = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * Float(s) + prior
            }
        }
    }
}
