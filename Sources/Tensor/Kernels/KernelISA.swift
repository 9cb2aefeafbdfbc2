import CKernels

/// Which build of the CKernels elementwise kernels runs: 3 = AVX-512, 2 = AVX2+FMA, 1 = baseline x86-64.
/// Chosen once from the CPU's flags (SIAMON_CKERNELS_ISA=1|2 caps it for A/B benchmarks). The `…(level:)`
/// entry points run one path explicitly and single-threaded, so tests check every path this CPU has against
/// the naive twins without changing what concurrent kernels use.
public enum KernelISA {
    public static var level: Int { Int(ck_isa_level()) }
    public static var name: String { ["", "baseline", "avx2", "avx512"][Swift.max(1, Swift.min(3, level))] }
    /// The levels this CPU can run, lowest first.
    public static var availableLevels: [Int] { Array(1...Swift.max(1, Int(ck_max_isa_level()))) }

    public static func geluForward(level: Int, out: FloatPtr, input: ConstFloatPtr, count: Int) {
        ck_gelu_forward_at(Int32(level), out, input, count)
    }
    public static func geluBackward(level: Int, dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr,
                                    count: Int, overwrite: Bool) {
        ck_gelu_backward_at(Int32(level), dInput, dOut, input, count, overwrite ? 0 : 1)
    }
    public static func softmaxForward(level: Int, out: FloatPtr, input: ConstFloatPtr, rows: Int, columns: Int) {
        ck_softmax_forward_at(Int32(level), out, input, rows, columns)
    }
    public static func softmaxBackwardInPlace(level: Int, grad: FloatPtr, out: ConstFloatPtr, rows: Int, columns: Int) {
        ck_softmax_backward_inplace_at(Int32(level), grad, out, rows, columns)
    }
}
