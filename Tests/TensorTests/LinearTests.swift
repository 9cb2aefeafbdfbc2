import Testing
import Tensor
import TestSupport

@Suite struct LinearTests {
    @Test func forwardMatchesNaive() {
        var rng = SeededRNG(seed: 1)
        let (R, I, O) = (5, 7, 3)
        let x = FloatBuffer((0..<R*I).map { _ in Float(rng.normal()) })
        let w = FloatBuffer((0..<O*I).map { _ in Float(rng.normal()) })
        let b = FloatBuffer((0..<O).map { _ in Float(rng.normal()) })
        let fast = FloatBuffer(count: R*O), slow = FloatBuffer(count: R*O)
        Linear.forward(out: fast.pointer, input: x.pointer, weight: w.pointer, bias: b.pointer, rows: R, inFeatures: I, outFeatures: O)
        Naive.linearForward(out: slow.pointer, input: x.pointer, weight: w.pointer, bias: b.pointer, rows: R, inFeatures: I, outFeatures: O)
        expectClose(fast.array, slow.array, atol: 1e-5, rtol: 1e-5, "linear forward")
    }

    /// Shapes big enough for the own GEMM's bias epilogue (when this CPU takes it) and the split column sum.
    @Test(arguments: [1, 2, 3]) func largeForwardAndBackwardMatchNaive(workers: Int) {
        var rng = SeededRNG(seed: 40 + UInt64(workers))
        let (R, I, O) = (700, 96, 130)
        let x = FloatBuffer(rng.floats(R * I)), w = FloatBuffer(rng.floats(O * I)), b = FloatBuffer(rng.floats(O))
        let fast = FloatBuffer(count: R * O), slow = FloatBuffer(count: R * O)
        Linear.forward(out: fast.pointer, input: x.pointer, weight: w.pointer, bias: b.pointer, rows: R, inFeatures: I, outFeatures: O)
        Naive.linearForward(out: slow.pointer, input: x.pointer, weight: w.pointer, bias: b.pointer, rows: R, inFeatures: I, outFeatures: O)
        expectClose(fast.array, slow.array, atol: 1e-4, rtol: 1e-4, "large linear forward")
        let dy = FloatBuffer(rng.floats(R * O))
        let dbFast = FloatBuffer(Array(repeating: 0.5, count: O)), dbSlow = FloatBuffer(Array(repeating: 0.5, count: O))
        ColumnSum.accumulate(out: dbFast.pointer, input: dy.pointer, rows: R, columns: O, workers: workers)
        let dbOne = FloatBuffer(Array(repeating: 0.5, count: O))
        ColumnSum.accumulate(out: dbOne.pointer, input: dy.pointer, rows: R, columns: O, workers: 1)
        for c in 0..<O { var s = 0.0; for r in 0..<R { s += Double(dy[r * O + c]) }; dbSlow[c] = 0.5 + Float(s) }
        expectClose(dbFast.array, dbSlow.array, atol: 1e-3, rtol: 1e-4, "column sum, \(workers) workers")
        #expect(dbFast.array == dbOne.array, "the column sum must not depend on the worker count")
    }
}
