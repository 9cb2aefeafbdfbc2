import Testing
import Tensor
import TestSupport

@Suite struct PatchEmbedTests {
    @Test func matchesNaiveOnRandomShapes() {
        propertyCheck("patch embed") { rng, label in
            let (B, C, P) = (rng.size(3), rng.size(3), rng.size(4))
            let (H, W) = (P * rng.size(4), P * rng.size(5))
            let K = C * P * P, N = (H / P) * (W / P)
            let img = FloatBuffer(rng.floats(B * C * H * W)), dCols = FloatBuffer(rng.floats(B * N * K))
            let (cF, cN) = (FloatBuffer(count: B * N * K), FloatBuffer(count: B * N * K))
            PatchEmbed.im2col(out: cF.pointer, images: img.pointer, batch: B, channels: C, height: H, width: W, patch: P)
            Naive.im2col(out: cN.pointer, images: img.pointer, batch: B, channels: C, height: H, width: W, patch: P)
            #expect(cF.array == cN.array, "\(label) im2col")
            let (dF, dN) = (FloatBuffer(Array(repeating: 1, count: img.count)), FloatBuffer(Array(repeating: 1, count: img.count)))
            PatchEmbed.col2im(dImages: dF.pointer, dCols: dCols.pointer, batch: B, channels: C, height: H, width: W, patch: P)
            Naive.col2im(dImages: dN.pointer, dCols: dCols.pointer, batch: B, channels: C, height: H, width: W, patch: P)
            #expect(dF.array == dN.array, "\(label) col2im")
        }
    }

    /// Pins the (c, kh, kw) inner order and row-major token order with hand-worked indices.
    @Test func patchOrderIsChannelThenRowThenColumn() {
        // 1 image, C=2, H=W=4, P=2: pixel value = 100c + 10y + x.
        var pixels: [Float] = []
        for c in 0..<2 { for y in 0..<4 { for x in 0..<4 { pixels.append(Float(100 * c + 10 * y + x)) } } }
        let img = FloatBuffer(pixels), cols = FloatBuffer(count: 4 * 8)
        PatchEmbed.im2col(out: cols.pointer, images: img.pointer, batch: 1, channels: 2, height: 4, width: 4, patch: 2)
        // Token 1 = grid row 0, grid column 1 → pixels x ∈ {2,3}, y ∈ {0,1}.
        #expect(Array(cols.array[8..<16]) == [2, 3, 12, 13, 102, 103, 112, 113])
        // Token 2 = grid row 1, grid column 0.
        #expect(Array(cols.array[16..<24]) == [20, 21, 30, 31, 120, 121, 130, 131])
    }

    @Test func patchEmbeddingFiniteDifferences() {
        // Embedding = Linear(im2col(images)); check d/dImages, d/dWeight, d/dBias together.
        var rng = SeededRNG(seed: 41)
        let (B, C, H, W, P, O) = (2, 2, 4, 2, 2, 3)
        let K = C * P * P, N = (H / P) * (W / P), R = B * N
        let img = rng.floats(B * C * H * W).map(Double.init), w = rng.floats(O * K).map(Double.init)
        let b = rng.floats(O).map(Double.init), r = rng.floats(R * O).map(Double.init)
        let (imgB, wB, dy) = (FloatBuffer(doubles: img), FloatBuffer(doubles: w), FloatBuffer(doubles: r))
        let (cols, dCols, dImg) = (FloatBuffer(count: R * K), FloatBuffer(count: R * K), FloatBuffer(count: img.count))
        let (dW, dB) = (FloatBuffer(count: w.count), FloatBuffer(count: O))
        PatchEmbed.im2col(out: cols.pointer, images: imgB.pointer, batch: B, channels: C, height: H, width: W, patch: P)
        Linear.backward(dInput: dCols.pointer, dWeight: dW.pointer, dBias: dB.pointer, dOut: dy.pointer, input: cols.pointer,
                        weight: wB.pointer, rows: R, inFeatures: K, outFeatures: O)
        PatchEmbed.col2im(dImages: dImg.pointer, dCols: dCols.pointer, batch: B, channels: C, height: H, width: W, patch: P)
        gradCheck("patch embed", names: ["images", "weight", "bias"], inputs: [img, w, b],
                  analytic: [dImg.doubles, dW.doubles, dB.doubles], weights: r) { v in
            D64.linear(D64.im2col(v[0], B: B, C: C, H: H, W: W, P: P), v[1], v[2], R: R, I: K, O: O)
        }
    }
}

@Suite struct LinearGradTests {
    @Test func backwardMatchesNaiveAndFiniteDifferences() {
        propertyCheck("linear", cases: 20) { rng, label in
            let (R, I, O) = (rng.size(20), rng.size(33), rng.size(17))
            let x = FloatBuffer(rng.floats(R * I)), w = FloatBuffer(rng.floats(O * I)), dy = FloatBuffer(rng.floats(R * O))
            let g = (0..<6).map { i in FloatBuffer(Array(repeating: 0.125, count: [R * I, O * I, O][i % 3])) }
            Linear.backward(dInput: g[0].pointer, dWeight: g[1].pointer, dBias: g[2].pointer, dOut: dy.pointer,
                            input: x.pointer, weight: w.pointer, rows: R, inFeatures: I, outFeatures: O)
            Naive.linearBackward(dInput: g[3].pointer, dWeight: g[4].pointer, dBias: g[5].pointer, dOut: dy.pointer,
                                 input: x.pointer, weight: w.pointer, rows: R, inFeatures: I, outFeatures: O)
            for (i, name) in ["dInput", "dWeight", "dBias"].enumerated() {
                expectClose(g[i].array, g[i + 3].array, atol: 1e-5, rtol: 1e-5, "\(label) \(name)")
            }
        }
        var rng = SeededRNG(seed: 42)
        let (R, I, O) = (3, 4, 2)
        let x = rng.floats(R * I).map(Double.init), w = rng.floats(O * I).map(Double.init)
        let b = rng.floats(O).map(Double.init), r = rng.floats(R * O).map(Double.init)
        let (xB, wB, dy) = (FloatBuffer(doubles: x), FloatBuffer(doubles: w), FloatBuffer(doubles: r))
        let (dx, dw, db) = (FloatBuffer(count: x.count), FloatBuffer(count: w.count), FloatBuffer(count: O))
        Linear.backward(dInput: dx.pointer, dWeight: dw.pointer, dBias: db.pointer, dOut: dy.pointer, input: xB.pointer,
                        weight: wB.pointer, rows: R, inFeatures: I, outFeatures: O)
        gradCheck("linear", names: ["input", "weight", "bias"], inputs: [x, w, b],
                  analytic: [dx.doubles, dw.doubles, db.doubles], weights: r) { v in
            D64.linear(v[0], v[1], v[2], R: R, I: I, O: O)
        }
    }
}

@Suite struct TokenOpsTests {
    @Test func meanTokensMatchesNaiveAndFiniteDifferences() {
        propertyCheck("mean tokens") { rng, label in
            let (B, T, D) = (rng.size(4), rng.size(12) + 1, rng.size(20))
            let skip = rng.int(0, 1)
            let x = FloatBuffer(rng.floats(B * T * D)), dy = FloatBuffer(rng.floats(B * D))
            let (yF, yN) = (FloatBuffer(count: B * D), FloatBuffer(count: B * D))
            MeanTokens.forward(out: yF.pointer, input: x.pointer, batch: B, tokens: T, dim: D, skip: skip)
            Naive.meanTokensForward(out: yN.pointer, input: x.pointer, batch: B, tokens: T, dim: D, skip: skip)
            expectClose(yF.array, yN.array, atol: 1e-6, rtol: 1e-5, "\(label) forward")
            let (dF, dN) = (FloatBuffer(count: x.count), FloatBuffer(count: x.count))
            MeanTokens.backward(dInput: dF.pointer, dOut: dy.pointer, batch: B, tokens: T, dim: D, skip: skip)
            Naive.meanTokensBackward(dInput: dN.pointer, dOut: dy.pointer, batch: B, tokens: T, dim: D, skip: skip)
            expectClose(dF.array, dN.array, atol: 1e-7, rtol: 1e-6, "\(label) backward")
        }
        var rng = SeededRNG(seed: 51)
        let (B, T, D, skip) = (2, 4, 3, 1)
        let x = rng.floats(B * T * D).map(Double.init), r = rng.floats(B * D).map(Double.init)
        let (dx, dy) = (FloatBuffer(Array(repeating: 2, count: x.count)), FloatBuffer(doubles: r))
        MeanTokens.backward(dInput: dx.pointer, dOut: dy.pointer, batch: B, tokens: T, dim: D, skip: skip)
        gradCheck("mean tokens", names: ["input"], inputs: [x], analytic: [dx.doubles.map { $0 - 2 }], weights: r) {
            D64.meanTokens($0[0], B: B, T: T, D: D, skip: skip)
        }
    }

    @Test func gatherRowsMatchesNaiveAndFiniteDifferences() {
        propertyCheck("gather rows") { rng, label in
            let (B, T, D) = (rng.size(4), rng.size(15), rng.size(20))
            let K = rng.int(1, T)
            let idx = (0..<(B * K)).map { _ in Int32(rng.int(0, T - 1)) }  // repeats allowed: scatter must add
            let x = FloatBuffer(rng.floats(B * T * D)), dy = FloatBuffer(rng.floats(B * K * D))
            let (yF, yN) = (FloatBuffer(count: B * K * D), FloatBuffer(count: B * K * D))
            let (dF, dN) = (FloatBuffer(count: x.count), FloatBuffer(count: x.count))
            idx.withUnsafeBufferPointer { ip in
                let i = ip.baseAddress!
                GatherRows.forward(out: yF.pointer, input: x.pointer, indices: i, batch: B, tokens: T, kept: K, dim: D)
                Naive.gatherRowsForward(out: yN.pointer, input: x.pointer, indices: i, batch: B, tokens: T, kept: K, dim: D)
                GatherRows.backward(dInput: dF.pointer, dOut: dy.pointer, indices: i, batch: B, tokens: T, kept: K, dim: D)
                Naive.gatherRowsBackward(dInput: dN.pointer, dOut: dy.pointer, indices: i, batch: B, tokens: T, kept: K, dim: D)
            }
            #expect(yF.array == yN.array, "\(label) forward")
            expectClose(dF.array, dN.array, atol: 1e-7, rtol: 1e-6, "\(label) backward")
        }
        var rng = SeededRNG(seed: 52)
        let (B, T, K, D) = (2, 5, 3, 2)
        let idx: [Int32] = [4, 0, 4, 1, 2, 3]
        let x = rng.floats(B * T * D).map(Double.init), r = rng.floats(B * K * D).map(Double.init)
        let (dx, dy) = (FloatBuffer(count: x.count), FloatBuffer(doubles: r))
        idx.withUnsafeBufferPointer {
            GatherRows.backward(dInput: dx.pointer, dOut: dy.pointer, indices: $0.baseAddress!, batch: B, tokens: T, kept: K, dim: D)
        }
        gradCheck("gather rows", names: ["input"], inputs: [x], analytic: [dx.doubles], weights: r) {
            D64.gather($0[0], idx, B: B, T: T, K: K, D: D)
        }
    }

    @Test func addAndScale() {
        var rng = SeededRNG(seed: 53)
        let n = 37
        let a = FloatBuffer(rng.floats(n)), b = FloatBuffer(rng.floats(n)), out = FloatBuffer(count: n), ref = FloatBuffer(count: n)
        Add.forward(out: out.pointer, a: a.pointer, b: b.pointer, count: n)
        Naive.addForward(out: ref.pointer, a: a.pointer, b: b.pointer, count: n)
        #expect(out.array == ref.array, "add")
        let aliased = FloatBuffer(a.array)
        Add.forward(out: aliased.pointer, a: aliased.pointer, b: b.pointer, count: n)
        #expect(aliased.array == ref.array, "add with out aliasing a")
        // d(a + b)/da = d(a + b)/db = identity: accumulate dOut into both, from a non-zero start.
        let x = rng.floats(2 * n).map(Double.init), r = rng.floats(n).map(Double.init)
        let (da, db, dy) = (FloatBuffer(Array(repeating: 1, count: n)), FloatBuffer(count: n), FloatBuffer(doubles: r))
        Add.accumulate(out: da.pointer, input: dy.pointer, count: n)
        Add.accumulate(out: db.pointer, input: dy.pointer, count: n)
        gradCheck("add", names: ["a", "b"], inputs: [Array(x[0..<n]), Array(x[n...])],
                  analytic: [da.doubles.map { $0 - 1 }, db.doubles], weights: r) { v in zip(v[0], v[1]).map { $0 + $1 } }
        Scale.inPlace(out.pointer, count: n, factor: -2.5)
        expectClose(out.array, ref.array.map { $0 * -2.5 }, atol: 0, rtol: 0, "scale")
    }
}
