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
}
