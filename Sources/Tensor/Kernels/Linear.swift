/// Linear layer with PyTorch's weight layout: out = input · Wᵀ + b.
/// Shapes: input [R, I], weight [O, I] (out × in), bias [O], out [R, O]. R = rows (B·L tokens).
public enum Linear {
    /// out = input · weightᵀ + bias. Overwrites `out`.
    public static func forward(out: FloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr, bias: ConstFloatPtr?,
                               rows: Int, inFeatures: Int, outFeatures: Int) {
        let (R, I, O) = (rows, inFeatures, outFeatures)
        if let bias {
            for r in 0..<R { (out + r * O).update(from: bias, count: O) }
        }
        Blas.sgemm(transB: true, m: R, n: O, k: I, a: input, lda: I, b: weight, ldb: I,
                   beta: bias == nil ? 0 : 1, c: out, ldc: O)
    }

    /// Backward; **accumulates** into dInput (+= dOut · W), dWeight (+= dOutᵀ · input) and dBias (+= Σ_r dOut).
    /// Pass nil for gradients that are not needed (e.g. a frozen weight, or an input with no gradient).
    /// `overwriteInput: true` writes dInput = dOut · W instead (saves the caller a memset of dInput).
    public static func backward(dInput: FloatPtr?, dWeight: FloatPtr?, dBias: FloatPtr?,
                                dOut: ConstFloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr,
                                rows: Int, inFeatures: Int, outFeatures: Int, overwriteInput: Bool = false) {
        let (R, I, O) = (rows, inFeatures, outFeatures)
        if let dInput {
            Blas.sgemm(m: R, n: I, k: O, a: dOut, lda: O, b: weight, ldb: I, beta: overwriteInput ? 0 : 1,
                       c: dInput, ldc: I)
        }
        if let dWeight {
            Blas.sgemm(transA: true, m: O, n: I, k: R, a: dOut, lda: O, b: input, ldb: I, beta: 1, c: dWeight, ldc: I)
        }
        if let dBias {
            ColumnSum.accumulate(out: dBias, input: dOut, rows: R, columns: O)
        }
    }
}

/// out[c] += Σ_r input[r, c], with 8 independent row accumulators so it vectorises.
public enum ColumnSum {
    public static func accumulate(out: FloatPtr, input: ConstFloatPtr, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = input + r * columns
            for c in 0..<columns { out[c] += row[c] }
        }
    }
}
