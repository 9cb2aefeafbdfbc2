/// The operand precision of the step's matrix products. `fp32` multiplies the stored floats; `bf16` rounds
/// both operands to bfloat16 (round to nearest even) while siamon's own GEMM packs them and sums the products
/// in fp32 (`ck_sgemm_bf16`, twice the multiply-adds per instruction on CPUs with AVX512_BF16). Outputs stay
/// fp32 either way, and so does everything outside the products.
///
/// The choice is scoped, not global: `Blas.sgemm` reads `GemmPrecision.current`, which the trainer binds for
/// its forward and backward only (`GemmPrecision.$current.withValue(.bf16) { … }`), so probes and other tasks
/// in the same process keep fp32. Inside the scope the loss and attention bind fp32 again for their own
/// products. Work handed to other threads inside the scope (GCD workers) sees the default, fp32.
public enum GemmPrecision: String, Sendable, Equatable, CaseIterable {
    case fp32, bf16

    @TaskLocal public static var current: GemmPrecision = .fp32

    /// The one line that refuses `bf16` on a CPU that cannot run its kernel, or nil when the precision runs
    /// here. bf16 is never emulated: a slower bf16 would be worse than fp32 on every count.
    public static func refusal(_ precision: GemmPrecision, kernelAvailable: Bool) -> String? {
        guard precision == .bf16, !kernelAvailable else { return nil }
        return "train.precision = bf16 needs a CPU with AVX-512 BF16 (avx512_bf16 in /proc/cpuinfo), which this one "
            + "lacks; use train.precision = fp32"
    }

    /// `refusal` for this process's CPU (and its start-up self-check).
    public static func refusal(_ precision: GemmPrecision) -> String? {
        refusal(precision, kernelAvailable: OwnGemm.bf16Usable)
    }
}
