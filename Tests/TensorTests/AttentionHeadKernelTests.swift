import Testing
import Tensor
import TestSupport

extension BlasStateTests {
    /// The CKernels head kernel (head widths 16/32/48/64) against the naive twin: through the public API with
    /// 1 and 2 workers, on every ISA path this CPU has, and by finite differences.
    @Suite struct AttentionHeadKernelTests {
        @Test(arguments: [1, 2]) func publicPathMatchesNaive(workers: Int) {
            propertyCheck("attention head kernel workers=\(workers)", cases: 20) { rng, label in
                let (B, T, H) = (rng.size(3), rng.size(80), rng.size(3))
                let D = H * 16 * rng.size(4)
                let qkv = FloatBuffer(rng.floats(B * T * 3 * D)), dy = FloatBuffer(rng.floats(B * T * D))
                let (yF, yN) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * T * D))
                let (aF, aN) = (FloatBuffer(count: B * H * T * T), FloatBuffer(count: B * H * T * T))
                Attention.forward(out: yF.pointer, att: aF.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D,
                                  heads: H, workers: workers)
                Naive.attentionForward(out: yN.pointer, att: aN.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D, heads: H)
                expectClose(yF.array, yN.array, atol: 1e-5, rtol: 1e-5, "\(label) D=\(D) H=\(H) T=\(T) out")
                expectClose(aF.array, aN.array, atol: 1e-6, rtol: 1e-5, "\(label) att")
                // accumulate mode (stale 0.5s kept and added to) and overwrite mode (stale 9s ignored)
                let half = Array(repeating: Float(0.5), count: qkv.count)
                let (gF, gN) = (FloatBuffer(half), FloatBuffer(half))
                Attention.backward(dQKV: gF.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: aF.pointer, batch: B,
                                   tokens: T, dim: D, heads: H, workers: workers)
                Naive.attentionBackward(dQKV: gN.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: aN.pointer, batch: B,
                                        tokens: T, dim: D, heads: H)
                expectClose(gF.array, gN.array, atol: 1e-5, rtol: 1e-5, "\(label) dQKV accumulate")
                let gO = FloatBuffer(Array(repeating: 9, count: qkv.count))
                Attention.backward(dQKV: gO.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: aF.pointer, batch: B,
                                   tokens: T, dim: D, heads: H, workers: workers, overwrite: true)
                expectClose(gO.array.map { $0 + 0.5 }, gN.array, atol: 1e-5, rtol: 1e-5, "\(label) dQKV overwrite")
            }
        }

        @Test(arguments: KernelISA.availableLevels) func everyISAPathMatchesNaive(level: Int) {
            var rng = SeededRNG(seed: 0xA77 + UInt64(level))
            for (T, Dh, H) in [(1, 16, 1), (7, 32, 2), (21, 32, 4), (50, 48, 2), (70, 64, 1), (33, 16, 3)] {
                let D = Dh * H
                let qkv = FloatBuffer(rng.floats(T * 3 * D)), dy = FloatBuffer(rng.floats(T * D))
                let (yN, aN) = (FloatBuffer(count: T * D), FloatBuffer(count: H * T * T))
                Naive.attentionForward(out: yN.pointer, att: aN.pointer, qkv: qkv.pointer, batch: 1, tokens: T, dim: D, heads: H)
                let gN = FloatBuffer(count: qkv.count)
                Naive.attentionBackward(dQKV: gN.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: aN.pointer, batch: 1,
                                        tokens: T, dim: D, heads: H)
                // head 0 only: columns 0..<Dh of out and of each of q, k, v in dQKV
                let (y, att) = (FloatBuffer(count: T * D), FloatBuffer(count: T * T))
                Attention.headForward(level: level, out: y.pointer, att: att.pointer, qkv: qkv.pointer, tokens: T,
                                      headDim: Dh, heads: H)
                let g = FloatBuffer(count: qkv.count)
                Attention.headBackward(level: level, dQKV: g.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: att.pointer,
                                       tokens: T, headDim: Dh, heads: H)
                let label = "level \(level) T=\(T) Dh=\(Dh) H=\(H)"
                let head0 = { (a: [Float], width: Int) in (0..<T).flatMap { t in (0..<Dh).map { a[t * width + $0] } } }
                expectClose(head0(y.array, D), head0(yN.array, D), atol: 1e-5, rtol: 1e-5, "\(label) out")
                expectClose(att.array, Array(aN.array[0..<(T * T)]), atol: 1e-6, rtol: 1e-5, "\(label) att")
                for s in 0..<3 {
                    let pick = { (a: [Float]) in (0..<T).flatMap { t in (0..<Dh).map { a[t * 3 * D + s * D + $0] } } }
                    expectClose(pick(g.array), pick(gN.array), atol: 1e-5, rtol: 1e-5, "\(label) d\(["q", "k", "v"][s])")
                }
            }
        }

        @Test func finiteDifferences() {
            var rng = SeededRNG(seed: 34)
            let (B, T, D, H) = (2, 5, 32, 2)
            let x = rng.floats(B * T * 3 * D).map(Double.init), r = rng.floats(B * T * D).map(Double.init)
            let (xb, dy) = (FloatBuffer(doubles: x), FloatBuffer(doubles: r))
            let (y, att, dx) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * H * T * T), FloatBuffer(count: x.count))
            Attention.forward(out: y.pointer, att: att.pointer, qkv: xb.pointer, batch: B, tokens: T, dim: D, heads: H)
            Attention.backward(dQKV: dx.pointer, dOut: dy.pointer, qkv: xb.pointer, att: att.pointer, batch: B, tokens: T,
                               dim: D, heads: H)
            gradCheck("attention head kernel", names: ["qkv"], inputs: [x], analytic: [dx.doubles], weights: r) {
                D64.attention($0[0], B: B, T: T, D: D, H: H)
            }
        }
    }
}
