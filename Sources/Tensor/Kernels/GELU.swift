import CKernels

/// Exact (erf) GELU, as PyTorch `nn.GELU()`: y = x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)).
/// The per-element math lives in CKernels (Sources/CKernels/math.inc: Φ as ½·erfc(−x/√2) with a 1.2e-7
/// fractional-error erfc and a polynomial exp), built for AVX-512, AVX2+FMA and baseline x86-64 and chosen at run
/// time: Swift can only target one ISA per module, and the baseline's 4-wide SSE made this kernel 18% of a step.
/// Calls on more than `Parallel.minElementwise` elements are split over `workers` threads.
public enum GELU {
    /// out[i] = x·Φ(x). out may alias input.
    public static func forward(out: FloatPtr, input: ConstFloatPtr, count: Int, workers: Int = Parallel.defaultWorkers) {
        let o = SendablePointer(out), x = SendablePointer(UnsafeMutablePointer(mutating: input))
        Parallel.elementwise(count: count, workers: workers) { r in
            ck_gelu_forward(o.p + r.lowerBound, x.p + r.lowerBound, r.count)
        }
    }

    /// dInput[i] += dOut[i]·(Φ(x) + x·φ(x)). **Accumulates**, or with `overwrite: true` writes dInput (no
    /// memset needed before). NaN/±∞ inputs give NaN gradients (the kernel adds x − x).
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr, count: Int,
                                workers: Int = Parallel.defaultWorkers, overwrite: Bool = false) {
        let dx = SendablePointer(dInput), dy = SendablePointer(UnsafeMutablePointer(mutating: dOut))
        let x = SendablePointer(UnsafeMutablePointer(mutating: input))
        Parallel.elementwise(count: count, workers: workers) { r in
            ck_gelu_backward(dx.p + r.lowerBound, dy.p + r.lowerBound, x.p + r.lowerBound, r.count, overwrite ? 0 : 1)
        }
    }

    /// The same backward for callers that keep the forward output y (the Transformer block).
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr, output: ConstFloatPtr,
                                count: Int, workers: Int = Parallel.defaultWorkers, overwrite: Bool = false) {
        backward(dInput: dInput, dOut: dOut, input: input, count: count, workers: workers, overwrite: overwrite)
    }
}
