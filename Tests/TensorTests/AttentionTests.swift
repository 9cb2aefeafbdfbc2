import Testing
import Tensor
import TestSupport

extension BlasStateTests {
    /// Attention changes the global BLAS thread count inside its parallel region, so these run one at a time.
    @Suite struct AttentionTests {
        @Test(arguments: [1, 2]) func matchesNaiveOnRandomShapes(workers: Int) {
            propertyCheck("attention workers=\(workers)", cases: 20) { rng, label in
                let (B, T, H) = (rng.size(3), rng.size(20), rng.size(4))
                let D = H * rng.size(9)
                let qkv = FloatBuffer(rng.floats(B * T * 3 * D)), dy = FloatBuffer(rng.floats(B * T * D))
                let (yF, yN) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * T * D))
                let (aF, aN) = (FloatBuffer(count: B * H * T * T), FloatBuffer(count: B * H * T * T))
                Attention.forward(out: yF.pointer, att: aF.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D,
                                  heads: H, workers: workers)
                Naive.attentionForward(out: yN.pointer, att: aN.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D, heads: H)
                expectClose(yF.array, yN.array, atol: 1e-5, rtol: 1e-5, "\(label) out")
                expectClose(aF.array, aN.array, atol: 1e-6, rtol: 1e-5, "\(label) att")
                let (gF, gN) = (FloatBuffer(Array(repeating: 0.5, count: qkv.count)), FloatBuffer(Array(repeating: 0.5, count: qkv.count)))
                Attention.backward(dQKV: gF.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: aF.pointer, batch: B,
                                   tokens: T, dim: D, heads: H, workers: workers)
                Naive.attentionBackward(dQKV: gN.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: aN.pointer, batch: B,
                                        tokens: T, dim: D, heads: H)
                expectClose(gF.array, gN.array, atol: 1e-5, rtol: 1e-5, "\(label) dQKV")
            }
        }

        @Test func workerCountDoesNotChangeTheResult() {
            var rng = SeededRNG(seed: 33)
            let (B, T, D, H) = (3, 19, 20, 5)
            let qkv = FloatBuffer(rng.floats(B * T * 3 * D)), dy = FloatBuffer(rng.floats(B * T * D))
            var results: [[Float]] = []
            for workers in [1, 2, 3] {
                let (y, att, g) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * H * T * T), FloatBuffer(count: qkv.count))
                Attention.forward(out: y.pointer, att: att.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D,
                                  heads: H, workers: workers)
                Attention.backward(dQKV: g.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: att.pointer, batch: B,
                                   tokens: T, dim: D, heads: H, workers: workers)
                results.append(y.array + att.array + g.array)
            }
            #expect(results[0] == results[1] && results[1] == results[2], "1, 2 and 3 workers give bit-identical results")
        }

        @Test func finiteDifferences() {
            var rng = SeededRNG(seed: 31)
            let (B, T, D, H) = (2, 3, 4, 2)
            let x = rng.floats(B * T * 3 * D).map(Double.init), r = rng.floats(B * T * D).map(Double.init)
            let (xb, dy) = (FloatBuffer(doubles: x), FloatBuffer(doubles: r))
            let (y, att, dx) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * H * T * T), FloatBuffer(count: x.count))
            Attention.forward(out: y.pointer, att: att.pointer, qkv: xb.pointer, batch: B, tokens: T, dim: D, heads: H)
            Attention.backward(dQKV: dx.pointer, dOut: dy.pointer, qkv: xb.pointer, att: att.pointer, batch: B, tokens: T,
                               dim: D, heads: H)
            gradCheck("attention", names: ["qkv"], inputs: [x], analytic: [dx.doubles], weights: r) {
                D64.attention($0[0], B: B, T: T, D: D, H: H)
            }
        }

        @Test func callerWorkspaceGivesTheSameGradientAndBlasThreadsAreRestored() {
            var rng = SeededRNG(seed: 32)
            let (B, T, D, H) = (3, 17, 24, 3)
            let qkv = FloatBuffer(rng.floats(B * T * 3 * D)), dy = FloatBuffer(rng.floats(B * T * D))
            let (y, att) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * H * T * T))
            let saved = Blas.threads
            Blas.threads = 2
            defer { Blas.threads = saved }
            Attention.forward(out: y.pointer, att: att.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D, heads: H)
            #expect(Blas.threads == 2, "BLAS thread count restored after the parallel region")
            let (g1, g2) = (FloatBuffer(count: qkv.count), FloatBuffer(count: qkv.count))
            let workspace = FloatBuffer(count: Attention.scratchCount(tokens: T, workers: 2))
            Attention.backward(dQKV: g1.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: att.pointer, batch: B, tokens: T,
                               dim: D, heads: H)
            Attention.backward(dQKV: g2.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: att.pointer, batch: B, tokens: T,
                               dim: D, heads: H, workers: 2, scratch: workspace.pointer)
            #expect(g1.array == g2.array, "workspace variant is bit-identical (same BLAS calls, same order)")
            #expect(g1.array.contains { $0 != 0 }, "gradient is not all zero")
        }
    }
}
