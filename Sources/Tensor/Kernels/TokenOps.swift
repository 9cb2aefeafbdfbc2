/// Small elementwise and token-row ops: residual add, scaling, mean over tokens, gather/scatter of rows.

/// Calls on more than `Parallel.minElementwise` elements are split over `workers` threads (elementwise, so the
/// results do not depend on the split).
public enum Add {
    /// out = a + b. out may alias a or b.
    public static func forward(out: FloatPtr, a: ConstFloatPtr, b: ConstFloatPtr, count: Int,
                               workers: Int = Parallel.defaultWorkers) {
        let o = SendablePointer(out), x = SendablePointer(a), y = SendablePointer(b)
        Parallel.elementwise(count: count, workers: workers) { r in
            let o = o.p, x = x.p, y = y.p
            for i in r { o[i] = x[i] + y[i] }
        }
    }

    /// out += input (residual backward, or adding a gradient into a sum).
    public static func accumulate(out: FloatPtr, input: ConstFloatPtr, count: Int, workers: Int = Parallel.defaultWorkers) {
        let o = SendablePointer(out), x = SendablePointer(input)
        Parallel.elementwise(count: count, workers: workers) { r in
            let o = o.p, x = x.p
            for i in r { o[i] += x[i] }
        }
    }
}

public enum Scale {
    /// x *= factor.
    public static func inPlace(_ x: FloatPtr, count: Int, factor: Float, workers: Int = Parallel.defaultWorkers) {
        let p = SendablePointer(x)
        Parallel.elementwise(count: count, workers: workers) { r in
            let x = p.p
            for i in r { x[i] *= factor }
        }
    }
}

/// Mean over tokens skip..<T of input [B, T, D] → out [B, D] (skip = 1 leaves out a cls token).
public enum MeanTokens {
    public static func forward(out: FloatPtr, input: ConstFloatPtr, batch: Int, tokens: Int, dim: Int, skip: Int) {
        let (T, D) = (tokens, dim)
        let n = Swift.max(T - skip, 0)
        let inv: Float = n > 0 ? 1 / Float(n) : 0
        for b in 0..<batch {
            let o = out + b * D
            o.update(repeating: 0, count: D)
            for t in skip..<Swift.max(T, skip) {
                let x = input + (b * T + t) * D
                for d in 0..<D { o[d] += x[d] }
            }
            for d in 0..<D { o[d] *= inv }
        }
    }

    /// dInput[b, t, :] += dOut[b, :] / (T − skip) for t ≥ skip. **Accumulates.**
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, batch: Int, tokens: Int, dim: Int, skip: Int) {
        let (T, D) = (tokens, dim)
        let n = T - skip
        guard n > 0 else { return }
        let inv = 1 / Float(n)
        for b in 0..<batch {
            let g = dOut + b * D
            for t in skip..<T {
                let dx = dInput + (b * T + t) * D
                for d in 0..<D { dx[d] += g[d] * inv }
            }
        }
    }
}

/// out[b, k, :] = input[b, indices[b·K + k], :]: keeps K of T token rows per sample (dropping masked ones).
public enum GatherRows {
    public static func forward(out: FloatPtr, input: ConstFloatPtr, indices: UnsafePointer<Int32>, batch: Int,
                               tokens: Int, kept: Int, dim: Int) {
        let (T, K, D) = (tokens, kept, dim)
        for b in 0..<batch { for k in 0..<K {
            let t = Int(indices[b * K + k])
            precondition(t >= 0 && t < T, "GatherRows: index \(t) at [\(b), \(k)] is outside 0..<\(T)")
            (out + (b * K + k) * D).update(from: input + (b * T + t) * D, count: D)
        } }
    }

    /// dInput[b, indices[b·K + k], :] += dOut[b, k, :] (scatter-add; repeated indices add up).
    public static func backward(dInput: FloatPtr, dOut: ConstFloatPtr, indices: UnsafePointer<Int32>, batch: Int,
                                tokens: Int, kept: Int, dim: Int) {
        let (T, K, D) = (tokens, kept, dim)
        for b in 0..<batch { for k in 0..<K {
            let t = Int(indices[b * K + k])
            precondition(t >= 0 && t < T, "GatherRows: index \(t) at [\(b), \(k)] is outside 0..<\(T)")
            let dx = dInput + (b * T + t) * D, g = dOut + (b * K + k) * D
            for d in 0..<D { dx[d] += g[d] }
        } }
    }
}
