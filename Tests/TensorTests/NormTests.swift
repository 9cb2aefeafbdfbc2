import Testing
import Tensor
import TestSupport

@Suite struct LayerNormTests {
    @Test func matchesNaiveOnRandomShapes() {
        propertyCheck("layernorm") { rng, label in
            let (R, C) = (rng.size(9), rng.size(300))
            let affine = rng.int(0, 2)  // 0 none, 1 weight only, 2 weight+bias
            let x = FloatBuffer(rng.floats(R * C, scale: 2, shift: 0.5))
            let w = FloatBuffer(rng.floats(C)), b = FloatBuffer(rng.floats(C)), dy = FloatBuffer(rng.floats(R * C))
            let wp: ConstFloatPtr? = affine >= 1 ? UnsafePointer(w.pointer) : nil
            let bp: ConstFloatPtr? = affine == 2 ? UnsafePointer(b.pointer) : nil
            let (yF, yN) = (FloatBuffer(count: R * C), FloatBuffer(count: R * C))
            let (mF, mN, sF, sN) = (FloatBuffer(count: R), FloatBuffer(count: R), FloatBuffer(count: R), FloatBuffer(count: R))
            LayerNorm.forward(out: yF.pointer, mean: mF.pointer, rstd: sF.pointer, input: x.pointer, weight: wp, bias: bp,
                              rows: R, channels: C, eps: 1e-5)
            Naive.layerNormForward(out: yN.pointer, mean: mN.pointer, rstd: sN.pointer, input: x.pointer, weight: wp,
                                   bias: bp, rows: R, channels: C, eps: 1e-5)
            expectClose(yF.array, yN.array, atol: 1e-5, rtol: 1e-5, "\(label) out")
            expectClose(mF.array, mN.array, atol: 1e-6, rtol: 1e-5, "\(label) mean")
            expectClose(sF.array, sN.array, atol: 1e-6, rtol: 1e-5, "\(label) rstd")
            let grads = (0..<6).map { i in FloatBuffer(count: i % 3 == 0 ? R * C : C) }
            for g in grads { for i in 0..<g.count { g[i] = 0.25 } }  // non-zero start: backward must add
            LayerNorm.backward(dInput: grads[0].pointer, dWeight: grads[1].pointer, dBias: grads[2].pointer,
                               dOut: dy.pointer, input: x.pointer, weight: wp, mean: mF.pointer, rstd: sF.pointer,
                               rows: R, channels: C)
            Naive.layerNormBackward(dInput: grads[3].pointer, dWeight: grads[4].pointer, dBias: grads[5].pointer,
                                    dOut: dy.pointer, input: x.pointer, weight: wp, mean: mN.pointer, rstd: sN.pointer,
                                    rows: R, channels: C)
            for (i, name) in ["dInput", "dWeight", "dBias"].enumerated() {
                expectClose(grads[i].array, grads[i + 3].array, atol: 1e-5, rtol: 1e-5, "\(label) \(name)")
            }
        }
    }

    @Test(arguments: [0, 1, 2]) func finiteDifferences(affine: Int) {
        var rng = SeededRNG(seed: 11)
        let (R, C) = (3, 5)
        let x = rng.floats(R * C, scale: 1.5).map(Double.init), w = rng.floats(C).map(Double.init)
        let b = rng.floats(C).map(Double.init), r = rng.floats(R * C).map(Double.init)
        let xb = FloatBuffer(doubles: x), wb = FloatBuffer(doubles: w), bb = FloatBuffer(doubles: b)
        let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: R), FloatBuffer(count: R))
        let wp: ConstFloatPtr? = affine >= 1 ? UnsafePointer(wb.pointer) : nil
        let bp: ConstFloatPtr? = affine == 2 ? UnsafePointer(bb.pointer) : nil
        LayerNorm.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: xb.pointer, weight: wp, bias: bp,
                          rows: R, channels: C, eps: 1e-5)
        let (dx, dw, db, dy) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C), FloatBuffer(doubles: r))
        LayerNorm.backward(dInput: dx.pointer, dWeight: affine >= 1 ? dw.pointer : nil, dBias: affine == 2 ? db.pointer : nil,
                           dOut: dy.pointer, input: xb.pointer, weight: wp, mean: m.pointer, rstd: s.pointer, rows: R, channels: C)
        let names = ["input", "weight", "bias"].prefix(affine + 1)
        gradCheck("layernorm affine=\(affine)", names: Array(names), inputs: Array([x, w, b].prefix(affine + 1)),
                  analytic: Array([dx.doubles, dw.doubles, db.doubles].prefix(affine + 1)), weights: r) { v in
            D64.layerNorm(v[0], affine >= 1 ? v[1] : nil, affine == 2 ? v[2] : nil, R: R, C: C, eps: 1e-5)
        }
    }

    @Test func outputRowsHaveZeroMeanAndUnitVariance() {
        var rng = SeededRNG(seed: 3)
        let (R, C) = (4, 37)
        let x = FloatBuffer(rng.floats(R * C, scale: 3, shift: 5))
        let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: R), FloatBuffer(count: R))
        LayerNorm.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: nil, bias: nil,
                          rows: R, channels: C, eps: 0)
        for r in 0..<R {
            let row = y.array[r * C ..< (r + 1) * C].map(Double.init)
            let mean = row.reduce(0, +) / Double(C)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(C)
            #expect(abs(mean) < 1e-5, "row \(r) mean \(mean)")
            #expect(abs(variance - 1) < 1e-4, "row \(r) variance \(variance)")
        }
    }
}

@Suite struct BatchNormTokensTests {
    @Test func matchesNaiveOnRandomShapes() {
        propertyCheck("batchnorm") { rng, label in
            let (R, C) = (rng.size(40) + 1, rng.size(70))
            let affine = rng.int(0, 1) == 1
            let x = FloatBuffer(rng.floats(R * C, scale: 2, shift: -1))
            let w = FloatBuffer(rng.floats(C)), b = FloatBuffer(rng.floats(C)), dy = FloatBuffer(rng.floats(R * C))
            let wp: ConstFloatPtr? = affine ? UnsafePointer(w.pointer) : nil
            let bp: ConstFloatPtr? = affine ? UnsafePointer(b.pointer) : nil
            let (yF, yN) = (FloatBuffer(count: R * C), FloatBuffer(count: R * C))
            let (mF, mN, sF, sN) = (FloatBuffer(count: C), FloatBuffer(count: C), FloatBuffer(count: C), FloatBuffer(count: C))
            BatchNormTokens.forward(out: yF.pointer, mean: mF.pointer, rstd: sF.pointer, input: x.pointer, weight: wp,
                                    bias: bp, rows: R, channels: C, eps: 1e-5)
            Naive.batchNormTokensForward(out: yN.pointer, mean: mN.pointer, rstd: sN.pointer, input: x.pointer,
                                         weight: wp, bias: bp, rows: R, channels: C, eps: 1e-5)
            expectClose(yF.array, yN.array, atol: 1e-5, rtol: 1e-5, "\(label) out")
            expectClose(mF.array, mN.array, atol: 1e-6, rtol: 1e-5, "\(label) mean")
            expectClose(sF.array, sN.array, atol: 1e-6, rtol: 1e-5, "\(label) rstd")
            let grads = (0..<6).map { i in FloatBuffer(count: i % 3 == 0 ? R * C : C) }
            for g in grads { for i in 0..<g.count { g[i] = -0.5 } }
            BatchNormTokens.backward(dInput: grads[0].pointer, dWeight: grads[1].pointer, dBias: grads[2].pointer,
                                     dOut: dy.pointer, input: x.pointer, weight: wp, mean: mF.pointer, rstd: sF.pointer,
                                     rows: R, channels: C)
            Naive.batchNormTokensBackward(dInput: grads[3].pointer, dWeight: grads[4].pointer, dBias: grads[5].pointer,
                                          dOut: dy.pointer, input: x.pointer, weight: wp, mean: mN.pointer,
                                          rstd: sN.pointer, rows: R, channels: C)
            for (i, name) in ["dInput", "dWeight", "dBias"].enumerated() {
                expectClose(grads[i].array, grads[i + 3].array, atol: 1e-5, rtol: 1e-5, "\(label) \(name)")
            }
        }
    }

    @Test(arguments: [false, true]) func finiteDifferences(affine: Bool) {
        var rng = SeededRNG(seed: 12)
        let (R, C) = (6, 3)
        let x = rng.floats(R * C, scale: 1.5).map(Double.init), w = rng.floats(C).map(Double.init)
        let b = rng.floats(C).map(Double.init), r = rng.floats(R * C).map(Double.init)
        let xb = FloatBuffer(doubles: x), wb = FloatBuffer(doubles: w), bb = FloatBuffer(doubles: b)
        let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
        BatchNormTokens.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: xb.pointer,
                                weight: affine ? wb.pointer : nil, bias: affine ? bb.pointer : nil, rows: R, channels: C, eps: 1e-5)
        let (dx, dw, db, dy) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C), FloatBuffer(doubles: r))
        BatchNormTokens.backward(dInput: dx.pointer, dWeight: dw.pointer, dBias: db.pointer, dOut: dy.pointer,
                                 input: xb.pointer, weight: affine ? wb.pointer : nil, mean: m.pointer, rstd: s.pointer,
                                 rows: R, channels: C)
        let n = affine ? 3 : 1
        gradCheck("batchnorm affine=\(affine)", names: Array(["input", "weight", "bias"].prefix(n)),
                  inputs: Array([x, w, b].prefix(n)), analytic: Array([dx.doubles, dw.doubles, db.doubles].prefix(n)),
                  weights: r) { v in
            D64.batchNorm(v[0], affine ? v[1] : nil, affine ? v[2] : nil, R: R, C: C, eps: 1e-5)
        }
    }

    @Test func runningStatisticsUseUnbiasedVariance() {
        // Channel 0 holds 1, 2, 3, 4: mean 2.5, biased var 1.25, unbiased var 5/3.
        let (R, C) = (4, 2)
        let x = FloatBuffer([1, 10, 2, 10, 3, 10, 4, 10])
        let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
        BatchNormTokens.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: nil, bias: nil,
                                rows: R, channels: C, eps: 1e-5)
        let rm = FloatBuffer([0, 1]), rv = FloatBuffer([1, 1])
        BatchNormTokens.updateRunning(runningMean: rm.pointer, runningVar: rv.pointer, mean: m.pointer, rstd: s.pointer,
                                      rows: R, channels: C, eps: 1e-5, momentum: 0.1)
        expectClose(rm.array, [0.9 * 0 + 0.1 * 2.5, 0.9 * 1 + 0.1 * 10], atol: 1e-6, rtol: 1e-6, "running mean")
        expectClose(rv.array, [0.9 + 0.1 * 5.0 / 3.0, 0.9], atol: 1e-5, rtol: 1e-5, "running var")
    }
}
