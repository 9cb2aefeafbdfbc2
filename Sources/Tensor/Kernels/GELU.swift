/// Exact (erf) GELU, as PyTorch `nn.GELU()`: y = x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)).
/// Φ comes from `FastMath` (no libm per element), so both loops vectorise.
public enum GELU {
    /// out[i] = x·Φ(x). out may alias input.
    public static func forward(out: FloatPtr, input: ConstFloatPtr, count: Int) {
        for i in 0..<count {
            let x = input[i]
            out[i] = x * FastMath.normalCDF(x)
        }
    }

    /// dInput[i] += dOut[i]·(Φ(x) + x·φ(x)). **Accumulates.**
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, input: ConstFloatPtr, count: Int) {
        for i in 0..<count {
            let x = input[i]
            dInput[i] += dOut[i] * (FastMath.normalCDF(x) + x * FastMath.normalPDF(x))
        }
    }
}
