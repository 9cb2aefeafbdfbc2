/// Linear layer with PyTorch's weight layout: out = input · Wᵀ + b.
/// Shapes: input [R, I], weight [O, I] (out × in), bias [O], out [R, O]. R = rows (B·L tokens).
public enum Linear {
    /// out = input · weightᵀ + bias. Overwrites `out`. The bias rows are written over `workers` threads (the GEMM
    /// then adds onto them; a single-threaded fill of fc1's [B·T, 4D] output was a pass over 18 MB).
    public static func forward(out: FloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr, bias: ConstFloatPtr?,
                               rows: Int, inFeatures: Int, outFeatures: Int, workers: Int = Parallel.defaultWorkers) {
        let (R, I, O) = (rows, inFeatures, outFeatures)
        if let bias {
            let o = SendablePointer(out), b = SendablePointer(bias)
            Parallel.split(count: R, parts: Parallel.workers(elements: R * O, requested: workers)) { rows, _ in
                for r in rows { (o.p + r * O).update(from: b.p, count: O) }
            }
        }
        Blas.sgemm(transB: true, m: R, n: O, k: I, a: input, lda: I, b: weight, ldb: I,
                   beta: bias == nil ? 0 : 1, c: out, ldc: O)
    }

    /// Backward; **accumulates** into dInput (+= dOut · W), dWeight (+= dOutᵀ · input) and dBias (+= Σ_r dOut).
    /// Pass nil for gradients that are not needed (e.g. a frozen weight, or an input with no gradient).
    /// `overwriteInput: true` writes dInput = dOut · W instead (saves the caller a memset of dInput).
    public static func backward(dInput: FloatPtr?, dWeight: FloatPtr?, dBias: FloatPtr?,
                                dOut: ConstFloatPtr, input: ConstFloatPtr, weight: ConstFloatPtr,
                                rows: Int, inFeatures: Int, outFeatures: Int, overwriteInput: Bool = false,
                                workers: Int = Parallel.defaultWorkers) {
        let (R, I, O) = (rows, inFeatures, outFeatures)
        if let dInput {
            Blas.sgemm(m: R, n: I, k: O, a: dOut, lda: O, b: weight, ldb: I, beta: overwriteInput ? 0 : 1,
                       c: dInput, ldc: I)
        }
        if let dWeight {
            Blas.sgemm(transA: true, m: O, n: I, k: R, a: dOut, lda: O, b: input, ldb: I, beta: 1, c: dWeight, ldc: I)
        }
        if let dBias {
            ColumnSum.accumulate(out: dBias, input: dOut, rows: R, columns: O, workers: workers)
        }
    }
}

/// out[c] += Σ_r input[r, c]. Rows split over `workers` threads: worker 0 adds its rows straight into out, the
/// others sum theirs from zero into partials added afterwards in worker order (deterministic for a worker count).
public enum ColumnSum {
    public static func accumulate(out: FloatPtr, input: ConstFloatPtr, rows: Int, columns: Int,
                                  workers: Int = Parallel.defaultWorkers) {
        let C = columns
        guard C > 0 else { return }
        let parts = Parallel.workers(elements: rows * C, requested: workers)
        let o = SendablePointer(out), x = SendablePointer(input)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (parts - 1) * C) { tmp in
            let partial = SendablePointer(tmp.baseAddress ?? out)
            partial.p.update(repeating: 0, count: (parts - 1) * C)
            Parallel.split(count: rows, parts: parts) { r, i in
                let acc = i == 0 ? o.p : partial.p + (i - 1) * C
                for row in r {
                    let xr = x.p + row * C
                    for c in 0..<C { acc[c] += xr[c] }
                }
            }
            Parallel.addPartials([out], partials: partial.p, parts: parts, width: C)
        }
    }
}
