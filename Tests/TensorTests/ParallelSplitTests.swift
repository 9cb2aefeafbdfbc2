import Testing
import Tensor
import TestSupport

/// The kernels that split rows or elements over `workers` threads, against their naive twins with 1, 2 and 3
/// workers, on a shape below `Parallel.minElementwise` (always one thread) and one above it that gives 3 workers
/// work, with gradients accumulating onto non-zero values. Row-independent outputs must not depend on the split
/// at all; sums over rows (dWeight, dBias, BatchNorm statistics) only within rounding.
@Suite struct ParallelSplitTests {
    static let rows = [5, 1001], channels = [37, 131]
    static let workerCounts = [1, 2, 3]

    @Test func workerCountsFollowTheThreshold() {
        #expect(Parallel.workers(elements: Parallel.minElementwise - 1, requested: 3) == 1)
        #expect(Parallel.workers(elements: Parallel.minElementwise, requested: 8) == 2)
        #expect(Parallel.workers(elements: 1001 * 131, requested: 2) == 2)
        #expect(Parallel.workers(elements: 1001 * 131, requested: 3) == 3)
        #expect(Parallel.workers(elements: 1001 * 131, requested: 0) == 1)
    }

    @Test(arguments: zip(rows, channels)) func layerNorm(rows R: Int, channels C: Int) {
        var rng = SeededRNG(seed: UInt64(R))
        let x = FloatBuffer(rng.floats(R * C, scale: 2, shift: 0.5)), dy = FloatBuffer(rng.floats(R * C))
        let w = FloatBuffer(rng.floats(C)), b = FloatBuffer(rng.floats(C))
        let (yN, mN, sN) = (FloatBuffer(count: R * C), FloatBuffer(count: R), FloatBuffer(count: R))
        Naive.layerNormForward(out: yN.pointer, mean: mN.pointer, rstd: sN.pointer, input: x.pointer, weight: w.pointer,
                               bias: b.pointer, rows: R, channels: C, eps: 1e-5)
        let gN = Self.gradients(R * C, C, C, start: 0.25)
        Naive.layerNormBackward(dInput: gN[0].pointer, dWeight: gN[1].pointer, dBias: gN[2].pointer, dOut: dy.pointer,
                                input: x.pointer, weight: w.pointer, mean: mN.pointer, rstd: sN.pointer, rows: R, channels: C)
        var first: [[Float]] = []
        for workers in Self.workerCounts {
            let label = "layernorm \(R)x\(C) workers \(workers)"
            let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: R), FloatBuffer(count: R))
            LayerNorm.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: w.pointer,
                              bias: b.pointer, rows: R, channels: C, eps: 1e-5, workers: workers)
            let g = Self.gradients(R * C, C, C, start: 0.25)
            LayerNorm.backward(dInput: g[0].pointer, dWeight: g[1].pointer, dBias: g[2].pointer, dOut: dy.pointer,
                               input: x.pointer, weight: w.pointer, mean: m.pointer, rstd: s.pointer, rows: R, channels: C,
                               workers: workers)
            expectClose(y.array, yN.array, atol: 1e-5, rtol: 1e-5, "\(label) out")
            expectClose(m.array, mN.array, atol: 1e-6, rtol: 1e-5, "\(label) mean")
            expectClose(s.array, sN.array, atol: 1e-6, rtol: 1e-5, "\(label) rstd")
            for (i, name) in ["dInput", "dWeight", "dBias"].enumerated() {
                expectClose(g[i].array, gN[i].array, atol: 1e-4, rtol: 1e-4, "\(label) \(name)")
            }
            let perRow = [y.array, m.array, s.array, g[0].array]
            if first.isEmpty { first = perRow }
            #expect(perRow == first, "\(label): row-wise outputs differ from 1 worker's")
        }
    }

    @Test(arguments: zip(rows, channels)) func batchNorm(rows R: Int, channels C: Int) {
        var rng = SeededRNG(seed: UInt64(R) + 7)
        let x = FloatBuffer(rng.floats(R * C, scale: 2, shift: -1)), dy = FloatBuffer(rng.floats(R * C))
        let w = FloatBuffer(rng.floats(C)), b = FloatBuffer(rng.floats(C))
        let (yN, mN, sN) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
        Naive.batchNormTokensForward(out: yN.pointer, mean: mN.pointer, rstd: sN.pointer, input: x.pointer,
                                     weight: w.pointer, bias: b.pointer, rows: R, channels: C, eps: 1e-5)
        let gN = Self.gradients(R * C, C, C, start: -0.5)
        Naive.batchNormTokensBackward(dInput: gN[0].pointer, dWeight: gN[1].pointer, dBias: gN[2].pointer,
                                      dOut: dy.pointer, input: x.pointer, weight: w.pointer, mean: mN.pointer,
                                      rstd: sN.pointer, rows: R, channels: C)
        var outs: [[[Float]]] = []
        for workers in Self.workerCounts {
            let label = "batchnorm \(R)x\(C) workers \(workers)"
            let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
            BatchNormTokens.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: w.pointer,
                                    bias: b.pointer, rows: R, channels: C, eps: 1e-5, workers: workers)
            let g = Self.gradients(R * C, C, C, start: -0.5)
            BatchNormTokens.backward(dInput: g[0].pointer, dWeight: g[1].pointer, dBias: g[2].pointer, dOut: dy.pointer,
                                     input: x.pointer, weight: w.pointer, mean: m.pointer, rstd: s.pointer, rows: R,
                                     channels: C, workers: workers)
            expectClose(y.array, yN.array, atol: 1e-5, rtol: 1e-5, "\(label) out")
            expectClose(m.array, mN.array, atol: 1e-6, rtol: 1e-5, "\(label) mean")
            expectClose(s.array, sN.array, atol: 1e-6, rtol: 1e-5, "\(label) rstd")
            for (i, name) in ["dInput", "dWeight", "dBias"].enumerated() {
                expectClose(g[i].array, gN[i].array, atol: 1e-4, rtol: 1e-4, "\(label) \(name)")
            }
            outs.append([y.array, m.array, s.array] + g.map(\.array))
        }
        // Below the threshold every call runs on one thread: identical whatever was asked for.
        if R * C < Parallel.minElementwise { #expect(outs[1] == outs[0] && outs[2] == outs[0]) }
    }

    /// The same call twice with the same workers gives the same bits (partials are added in worker order).
    @Test func reductionsDoNotDependOnTiming() {
        var rng = SeededRNG(seed: 5)
        let (R, C) = (1001, 131)
        let x = FloatBuffer(rng.floats(R * C)), dy = FloatBuffer(rng.floats(R * C)), w = FloatBuffer(rng.floats(C))
        func run() -> [[Float]] {
            let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
            BatchNormTokens.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: w.pointer,
                                    bias: nil, rows: R, channels: C, eps: 1e-5, workers: 3)
            let g = Self.gradients(R * C, C, C, start: 0)
            BatchNormTokens.backward(dInput: g[0].pointer, dWeight: g[1].pointer, dBias: g[2].pointer, dOut: dy.pointer,
                                     input: x.pointer, weight: w.pointer, mean: m.pointer, rstd: s.pointer, rows: R,
                                     channels: C, workers: 3)
            let (lm, ls) = (FloatBuffer(count: R), FloatBuffer(count: R)), h = Self.gradients(R * C, C, C, start: 0)
            LayerNorm.forward(out: y.pointer, mean: lm.pointer, rstd: ls.pointer, input: x.pointer, weight: w.pointer,
                              bias: nil, rows: R, channels: C, eps: 1e-6, workers: 3)
            LayerNorm.backward(dInput: h[0].pointer, dWeight: h[1].pointer, dBias: h[2].pointer, dOut: dy.pointer,
                               input: x.pointer, weight: w.pointer, mean: lm.pointer, rstd: ls.pointer, rows: R,
                               channels: C, workers: 3)
            return [m.array, s.array] + g.map(\.array) + h.map(\.array)
        }
        let a = run()
        for _ in 0..<5 { #expect(run() == a) }
    }

    @Test(arguments: [1000, 3 * Parallel.minElementwise + 13]) func elementwise(count n: Int) {
        var rng = SeededRNG(seed: UInt64(n))
        let a = FloatBuffer(rng.floats(n)), b = FloatBuffer(rng.floats(n, scale: 3))
        let (addN, accN, scaleN, emaN) = (FloatBuffer(count: n), FloatBuffer(b.array), FloatBuffer(a.array), FloatBuffer(b.array))
        Naive.addForward(out: addN.pointer, a: a.pointer, b: b.pointer, count: n)
        Naive.addAccumulate(out: accN.pointer, input: a.pointer, count: n)
        Naive.scale(scaleN.pointer, count: n, factor: -0.37)
        Naive.ema(target: emaN.pointer, online: a.pointer, count: n, momentum: 0.996)
        var emaFirst: [Float] = []
        for workers in Self.workerCounts {
            let label = "\(n) elements, workers \(workers)"
            let add = FloatBuffer(count: n), aliased = FloatBuffer(a.array), acc = FloatBuffer(b.array)
            let scaled = FloatBuffer(a.array), ema = FloatBuffer(b.array)
            Add.forward(out: add.pointer, a: a.pointer, b: b.pointer, count: n, workers: workers)
            Add.forward(out: aliased.pointer, a: aliased.pointer, b: b.pointer, count: n, workers: workers)
            Add.accumulate(out: acc.pointer, input: a.pointer, count: n, workers: workers)
            Scale.inPlace(scaled.pointer, count: n, factor: -0.37, workers: workers)
            EMA.update(target: ema.pointer, online: a.pointer, count: n, momentum: 0.996, workers: workers)
            // One correctly rounded float operation per element: the Double twins give the same bits.
            #expect(add.array == addN.array, "\(label) add")
            #expect(aliased.array == addN.array, "\(label) add in place")
            #expect(acc.array == accN.array, "\(label) accumulate")
            #expect(scaled.array == scaleN.array, "\(label) scale")
            expectClose(ema.array, emaN.array, atol: 1e-6, rtol: 1e-6, "\(label) ema")
            if emaFirst.isEmpty { emaFirst = ema.array }
            #expect(ema.array == emaFirst, "\(label): EMA differs from 1 worker's")
        }
    }

    /// `residual` folds a skip connection's gradient into the backward pass: the same bits as a copy of it
    /// followed by the accumulating backward (`overwrite`), or as the backward followed by an add (not).
    @Test(arguments: zip(rows, channels)) func residualIsAddedInTheBackwardPass(rows R: Int, channels C: Int) {
        var rng = SeededRNG(seed: UInt64(R) + 11)
        let x = FloatBuffer(rng.floats(R * C, scale: 2)), dy = FloatBuffer(rng.floats(R * C))
        let skip = FloatBuffer(rng.floats(R * C)), start = rng.floats(R * C), w = FloatBuffer(rng.floats(C))
        let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: Swift.max(R, C)), FloatBuffer(count: Swift.max(R, C)))
        for layer in [true, false] {
            if layer {
                LayerNorm.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: w.pointer,
                                  bias: nil, rows: R, channels: C, eps: 1e-6)
            } else {
                BatchNormTokens.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer,
                                        weight: w.pointer, bias: nil, rows: R, channels: C, eps: 1e-5)
            }
            func backward(_ dx: FloatBuffer, residual: ConstFloatPtr?, overwrite: Bool, workers: Int) {
                let dW = FloatBuffer(count: C)
                if layer {
                    LayerNorm.backward(dInput: dx.pointer, dWeight: dW.pointer, dBias: nil, dOut: dy.pointer,
                                       input: x.pointer, weight: w.pointer, mean: m.pointer, rstd: s.pointer, rows: R,
                                       channels: C, residual: residual, overwrite: overwrite, workers: workers)
                } else {
                    BatchNormTokens.backward(dInput: dx.pointer, dWeight: dW.pointer, dBias: nil, dOut: dy.pointer,
                                             input: x.pointer, weight: w.pointer, mean: m.pointer, rstd: s.pointer,
                                             rows: R, channels: C, residual: residual, overwrite: overwrite,
                                             workers: workers)
                }
            }
            for workers in Self.workerCounts {
                let label = "\(layer ? "layernorm" : "batchnorm") \(R)x\(C) workers \(workers)"
                let copied = FloatBuffer(skip.array), fused = FloatBuffer(start)
                backward(copied, residual: nil, overwrite: false, workers: workers)
                backward(fused, residual: skip.pointer, overwrite: true, workers: workers)
                #expect(fused.array == copied.array, "\(label): overwrite with residual")
                let added = FloatBuffer(start), fusedAdd = FloatBuffer(start)
                backward(added, residual: nil, overwrite: false, workers: workers)
                Add.accumulate(out: added.pointer, input: skip.pointer, count: R * C, workers: 1)
                backward(fusedAdd, residual: skip.pointer, overwrite: false, workers: workers)
                #expect(fusedAdd.array == added.array, "\(label): accumulate with residual")
                let zeroed = FloatBuffer(count: R * C), overwritten = FloatBuffer(start)
                backward(zeroed, residual: nil, overwrite: false, workers: workers)
                backward(overwritten, residual: nil, overwrite: true, workers: workers)
                #expect(overwritten.array == zeroed.array, "\(label): overwrite without residual")
            }
        }
    }

    /// dInput, dWeight, dBias filled with `start` (backward must add to them).
    static func gradients(_ counts: Int..., start: Float) -> [FloatBuffer] {
        counts.map { FloatBuffer(Array(repeating: start, count: $0)) }
    }
}
