import Foundation
import Testing
import Tensor
import TestSupport

@Suite struct FastMathTests {
    /// erf over ≥1e6 points of [−10, 10] plus extremes, against Double erf: max abs error ≤ 1e-6.
    @Test func erfIsAccurateToOneMillionth() {
        let n = 1_200_000
        var worst = 0.0, worstX: Float = 0
        func check(_ x: Float) {
            let err = abs(Double(FastMath.erf(x)) - Foundation.erf(Double(x)))
            if !(err <= worst) { worst = err; worstX = x }
        }
        for i in 0...n { check(Float(-10 + 20 * Double(i) / Double(n))) }
        let extremes: [Float] = [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                                 1e-20, -1e-20, 1e-7, 9.3, -9.3, 30, -30, 1e10, -1e10, .greatestFiniteMagnitude,
                                 -.greatestFiniteMagnitude, .infinity, -.infinity]
        for x in extremes { check(x) }
        #expect(worst <= 1e-6, "max |erf error| \(worst) at x = \(worstX)")
        #expect(FastMath.erf(.nan).isNaN, "erf(NaN) must be NaN")
    }

    @Test func normalCDFKeepsRelativeAccuracyInTheLowerTail() {
        var worst = 0.0, worstX = 0.0
        for i in 0...4000 {
            let x = -8 + 8 * Double(i) / 4000
            let exact = 0.5 * Foundation.erfc(-x / 2.0.squareRoot())
            let rel = abs(Double(FastMath.normalCDF(Float(x))) - exact) / exact
            if rel > worst { worst = rel; worstX = x }
        }
        #expect(worst <= 2e-5, "normalCDF worst relative error \(worst) at \(worstX)")
    }

    @Test func expIsAccurate() {
        var worst = 0.0, worstX: Float = 0
        for i in 0...200_000 {
            let x = Float(-87 + 175 * Double(i) / 200_000)
            let rel = abs(Double(FastMath.exp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x))
            if rel > worst { worst = rel; worstX = x }
        }
        #expect(worst <= 5e-7, "exp worst relative error \(worst) at \(worstX)")
        #expect(FastMath.exp(-1000) < 1e-37 && FastMath.exp(-.infinity) < 1e-37, "exp underflows towards 0")
    }
}

@Suite struct GELUTests {
    @Test func matchesNaiveOnRandomShapes() {
        propertyCheck("gelu") { rng, label in
            let n = rng.size(1000)
            let x = FloatBuffer(rng.floats(n, scale: 3))
            let dy = FloatBuffer(rng.floats(n))
            let (yF, yN) = (FloatBuffer(count: n), FloatBuffer(count: n))
            GELU.forward(out: yF.pointer, input: x.pointer, count: n)
            Naive.geluForward(out: yN.pointer, input: x.pointer, count: n)
            // Φ has ≈1e-7 relative accuracy, plus ≈1e-6 relative from rounding x² in the tail.
            expectClose(yF.array, yN.array, atol: 1e-7, rtol: 1e-5, "\(label) forward")
            let (dF, dN) = (FloatBuffer(Array(repeating: 1, count: n)), FloatBuffer(Array(repeating: 1, count: n)))
            GELU.backward(dInput: dF.pointer, dOut: dy.pointer, input: x.pointer, count: n)
            Naive.geluBackward(dInput: dN.pointer, dOut: dy.pointer, input: x.pointer, count: n)
            expectClose(dF.array, dN.array, atol: 1e-6, rtol: 1e-5, "\(label) backward")
        }
    }

    @Test func finiteDifferences() {
        var rng = SeededRNG(seed: 21)
        let x = (rng.floats(12, scale: 2) + [0, -4, 4, 0.5]).map(Double.init)
        let r = rng.floats(x.count).map(Double.init)
        let (dx, dy, xb) = (FloatBuffer(count: x.count), FloatBuffer(doubles: r), FloatBuffer(doubles: x))
        GELU.backward(dInput: dx.pointer, dOut: dy.pointer, input: xb.pointer, count: x.count)
        gradCheck("gelu", names: ["input"], inputs: [x], analytic: [dx.doubles], weights: r) { D64.gelu($0[0]) }
    }

    /// The backward that reads Φ = y/x from the forward output matches the naive backward, including x = 0,
    /// tiny |x|, large |x| and both tails.
    @Test func backwardFromOutputMatchesNaive() {
        propertyCheck("gelu backward(output:)") { rng, label in
            let n = rng.size(1000)
            let x = FloatBuffer(rng.floats(n, scale: 4) + [0, -0.0, 1e-38, -1e-35, 1e-20, -7, 9, -13, 15])
            let m = x.count
            let y = FloatBuffer(count: m), dy = FloatBuffer(rng.floats(m))
            GELU.forward(out: y.pointer, input: x.pointer, count: m)
            let (dF, dN) = (FloatBuffer(Array(repeating: 0.5, count: m)), FloatBuffer(Array(repeating: 0.5, count: m)))
            GELU.backward(dInput: dF.pointer, dOut: dy.pointer, input: x.pointer, output: y.pointer, count: m)
            Naive.geluBackward(dInput: dN.pointer, dOut: dy.pointer, input: x.pointer, count: m)
            expectClose(dF.array, dN.array, atol: 1e-6, rtol: 1e-5, "\(label) backward")
        }
    }

    /// Above `Parallel.minElementwise` the kernels split over threads: 1 and 2 workers give bit-identical
    /// results (each element is computed the same way), and they agree with the naive forms.
    @Test func workersSplitLargeCallsWithoutChangingResults() {
        var rng = SeededRNG(seed: 23)
        let n = 3 * Parallel.minElementwise + 13
        let x = FloatBuffer((0..<n).map { _ in Float(3 * rng.normal()) }), dy = FloatBuffer((0..<n).map { _ in Float(rng.normal()) })
        var outs: [[Float]] = [], grads: [[Float]] = [], gradsFromOutput: [[Float]] = []
        for w in [1, 2] {
            let y = FloatBuffer(count: n), d1 = FloatBuffer(count: n), d2 = FloatBuffer(count: n)
            GELU.forward(out: y.pointer, input: x.pointer, count: n, workers: w)
            GELU.backward(dInput: d1.pointer, dOut: dy.pointer, input: x.pointer, count: n, workers: w)
            GELU.backward(dInput: d2.pointer, dOut: dy.pointer, input: x.pointer, output: y.pointer, count: n, workers: w)
            outs.append(y.array); grads.append(d1.array); gradsFromOutput.append(d2.array)
        }
        #expect(outs[0] == outs[1] && grads[0] == grads[1] && gradsFromOutput[0] == gradsFromOutput[1],
                "1 and 2 workers must give bit-identical GELU results")
        let yN = FloatBuffer(count: n), dN = FloatBuffer(count: n)
        Naive.geluForward(out: yN.pointer, input: x.pointer, count: n)
        Naive.geluBackward(dInput: dN.pointer, dOut: dy.pointer, input: x.pointer, count: n)
        expectClose(outs[1], yN.array, atol: 1e-7, rtol: 1e-5, "2-worker forward")
        expectClose(gradsFromOutput[1], dN.array, atol: 1e-6, rtol: 1e-5, "2-worker backward(output:)")
    }

    /// Φ and GELU′ on a dense sweep of [−10, 10] against libm in Double, with the property test's tolerances,
    /// and the limits far outside it, on every ISA path of CKernels this CPU has (AVX-512, AVX2, baseline).
    @Test(arguments: KernelISA.availableLevels)
    func accurateOnADenseSweepAndHasTheRightLimits(level: Int) {
        let n = 1_000_001
        let x = FloatBuffer((0..<n).map { Float(-10 + 20 * Double($0) / Double(n - 1)) })
        let dy = FloatBuffer(Array(repeating: 1, count: n))
        let (y, yN, d, dN) = (FloatBuffer(count: n), FloatBuffer(count: n), FloatBuffer(count: n), FloatBuffer(count: n))
        KernelISA.geluForward(level: level, out: y.pointer, input: x.pointer, count: n)
        Naive.geluForward(out: yN.pointer, input: x.pointer, count: n)
        d.pointer.update(repeating: 7, count: n)   // overwrite mode must not read the stale 7s
        KernelISA.geluBackward(level: level, dInput: d.pointer, dOut: dy.pointer, input: x.pointer, count: n, overwrite: true)
        Naive.geluBackward(dInput: dN.pointer, dOut: dy.pointer, input: x.pointer, count: n)
        expectClose(y.array, yN.array, atol: 1e-7, rtol: 1e-5, "gelu sweep forward, ISA level \(level)")
        expectClose(d.array, dN.array, atol: 1e-6, rtol: 1e-5, "gelu sweep backward, ISA level \(level)")
        let far = FloatBuffer([-1e30, -1e10, 1e10, 1e30, .nan]), out = FloatBuffer(count: 5), grad = FloatBuffer(count: 5)
        KernelISA.geluForward(level: level, out: out.pointer, input: far.pointer, count: 5)
        let ones = FloatBuffer([1, 1, 1, 1, 1])
        withExtendedLifetime(ones) {
            KernelISA.geluBackward(level: level, dInput: grad.pointer, dOut: ones.pointer, input: far.pointer, count: 5,
                                   overwrite: false)
        }
        #expect(out[0] == 0 && out[1] == 0 && out[2] == 1e10 && out[3] == 1e30, "GELU limits: \(out.array)")
        #expect(grad[0] == 0 && grad[1] == 0 && grad[2] == 1 && grad[3] == 1, "GELU′ limits: \(grad.array)")
        #expect(out[4].isNaN && grad[4].isNaN, "NaN propagates through forward and backward")
    }

    @Test func forwardMayRunInPlace() {
        let values: [Float] = [-3, -1, 0, 0.5, 2]
        let buffer = FloatBuffer(values), expected = FloatBuffer(count: values.count), source = FloatBuffer(values)
        Naive.geluForward(out: expected.pointer, input: source.pointer, count: values.count)
        GELU.forward(out: buffer.pointer, input: buffer.pointer, count: values.count)
        expectClose(buffer.array, expected.array, atol: 1e-7, rtol: 1e-5, "in-place gelu")
    }
}

@Suite struct SoftmaxTests {
    /// Every CKernels path this CPU has, against the naive twin, including odd widths (tails of the 16 lanes),
    /// a width of 1 and rows with huge logits; the in-place backward against the naive accumulate form.
    @Test(arguments: KernelISA.availableLevels)
    func everyISAPathMatchesNaive(level: Int) {
        var rng = SeededRNG(seed: 0x50F7 + UInt64(level))
        for (R, N) in [(3, 1), (5, 7), (4, 16), (6, 33), (2, 70), (3, 200)] {
            let x = FloatBuffer((0..<(R * N)).map { _ in Float(rng.normal() * 4) })
            x[0] = 80; if N > 2 { x[N + 1] = -90 }
            let y = FloatBuffer(count: R * N), yN = FloatBuffer(count: R * N)
            KernelISA.softmaxForward(level: level, out: y.pointer, input: x.pointer, rows: R, columns: N)
            Naive.softmaxForward(out: yN.pointer, input: x.pointer, rows: R, columns: N)
            expectClose(y.array, yN.array, atol: 1e-7, rtol: 1e-5, "softmax R=\(R) N=\(N) level \(level)")
            let dy = FloatBuffer((0..<(R * N)).map { _ in Float(rng.normal()) })
            let g = FloatBuffer(dy.array), dN = FloatBuffer(count: R * N)
            KernelISA.softmaxBackwardInPlace(level: level, grad: g.pointer, out: yN.pointer, rows: R, columns: N)
            Naive.softmaxBackward(dInput: dN.pointer, dOut: dy.pointer, out: yN.pointer, rows: R, columns: N)
            expectClose(g.array, dN.array, atol: 1e-6, rtol: 1e-5, "softmax backward R=\(R) N=\(N) level \(level)")
        }
    }

    @Test func matchesNaiveAndRowsSumToOne() {
        propertyCheck("softmax") { rng, label in
            let (R, N) = (rng.size(7), rng.size(120))
            let x = FloatBuffer(rng.floats(R * N, scale: 4)), dy = FloatBuffer(rng.floats(R * N))
            let (yF, yN) = (FloatBuffer(count: R * N), FloatBuffer(count: R * N))
            Softmax.forward(out: yF.pointer, input: x.pointer, rows: R, columns: N)
            Naive.softmaxForward(out: yN.pointer, input: x.pointer, rows: R, columns: N)
            expectClose(yF.array, yN.array, atol: 1e-7, rtol: 1e-5, "\(label) forward")
            for r in 0..<R {
                let s = yF.array[r * N ..< (r + 1) * N].reduce(0, +)
                #expect(abs(s - 1) < 1e-5, "\(label) row \(r) sums to \(s)")
            }
            let (dF, dN) = (FloatBuffer(count: R * N), FloatBuffer(count: R * N))
            Softmax.backward(dInput: dF.pointer, dOut: dy.pointer, out: yF.pointer, rows: R, columns: N)
            Naive.softmaxBackward(dInput: dN.pointer, dOut: dy.pointer, out: yF.pointer, rows: R, columns: N)
            expectClose(dF.array, dN.array, atol: 1e-6, rtol: 1e-5, "\(label) backward")
        }
    }

    @Test func finiteDifferences() {
        var rng = SeededRNG(seed: 22)
        let (R, N) = (3, 5)
        let x = rng.floats(R * N, scale: 2).map(Double.init), r = rng.floats(R * N).map(Double.init)
        let y = FloatBuffer(count: R * N), dx = FloatBuffer(count: R * N)
        let xb = FloatBuffer(doubles: x), dy = FloatBuffer(doubles: r)
        Softmax.forward(out: y.pointer, input: xb.pointer, rows: R, columns: N)
        Softmax.backward(dInput: dx.pointer, dOut: dy.pointer, out: y.pointer, rows: R, columns: N)
        gradCheck("softmax", names: ["input"], inputs: [x], analytic: [dx.doubles], weights: r) {
            D64.softmax($0[0], R: R, N: N)
        }
    }

    @Test func largeLogitsDoNotOverflow() {
        let x = FloatBuffer([1000, 999, -1000]), y = FloatBuffer(count: 3)
        Softmax.forward(out: y.pointer, input: x.pointer, rows: 1, columns: 3)
        let e = 1 / (1 + Foundation.exp(-1.0))
        expectClose(y.array, [Float(e), Float(1 - e), 0], atol: 1e-6, rtol: 1e-5, "softmax of large logits")
    }
}
