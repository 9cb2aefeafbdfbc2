import Foundation
import Testing
import Tensor
import ViT
@testable import SiamTrain

/// The model-side Table-3 switches: pixel target, LN projector/decoder, and a few steps of every preset.
@Suite(.serialized) struct AblationModelTests {
    /// MAE's patchify written independently: patch (gi, gj), element (p, q, c).
    static func patches(_ x: FloatBuffer, B: Int, C: Int, H: Int, P: Int) -> [[Double]] {
        let G = H / P
        var rows: [[Double]] = []
        for b in 0..<B { for gi in 0..<G { for gj in 0..<G {
            var r: [Double] = []
            for p in 0..<P { for q in 0..<P { for c in 0..<C { r.append(Double(x[((b * C + c) * H + gi * P + p) * H + gj * P + q])) } } }
            rows.append(r)
        } } }
        return rows
    }

    @Test(arguments: ["different", "same"])
    func pixelTargetPredictsPatchPixelsAndTakesTheirMSE(views: String) {
        var c = TestConfigs.tiny(batch: 3)
        c.model.target = "pixel"; c.augment.views = views
        let S = c.networkShape, t = SiameseTrainer(config: c, stepsPerEpoch: 10)
        let W = S.patchDim   // p²·C = 16
        #expect(t.network.layout.trainable.entry("decoder_pred.weight")?.shape == [W, S.dim])
        #expect(t.network.layout.trainable.entry("decoder_pred.bias")?.shape == [W])
        let batch = TrainerTests.randomBatch(c, seed: 4)
        if views == "same" { batch.x2.pointer.update(from: batch.x1.pointer, count: batch.x1.count) }
        let targetBefore = t.network.target.storage.array
        let v = t.forwardBackward(batch, momentum: 0.5)
        #expect(t.network.target.storage.array == targetBefore, "the pixel target runs no EMA update")
        let ws = t.network.workspace!
        #expect(ws.prediction.count == 3 * S.patches * W)
        // Direct MSE against norm_pix'd patches of x2, over the masked patches (same view) or all (different).
        var sum = 0.0, count = 0
        for (i, row) in Self.patches(batch.x2, B: 3, C: 1, H: 16, P: 4).enumerated() {
            guard views == "different" || batch.mask[i] == 1 else { continue }
            let mu = row.reduce(0, +) / Double(W)
            let sd = (row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(W - 1) + 1e-6).squareRoot()
            for k in 0..<W { let d = Double(ws.prediction[i * W + k]) - (row[k] - mu) / sd; sum += d * d }
            count += W
        }
        #expect(abs(v.loss - sum / Double(count)) < 1e-5 * v.loss && v.neg == 0 && v.pos == v.loss)
        #expect(StepFlops(shape: S, batch: 3).target == 0)
        #expect(StepFlops(shape: S, batch: 3).total < StepFlops(shape: TestConfigs.tiny(batch: 3).networkShape, batch: 3).total)
    }

    @Test func layerNormProjectorAndDecoderUseTheOfficialLNNames() {
        var c = TestConfigs.tiny()
        c.model.projectorNorm = "ln"; c.model.decoderNorm = "ln"
        let l = SiameseLayout(shape: c.networkShape)
        for name in ["projector_decoder_blocks.0.norm1.weight", "projector_decoder_blocks.0.norm2.bias",
                     "predictor_decoder_blocks.1.norm1.weight"] { #expect(l.trainable.contains(name), "\(name)") }
        #expect(l.target.contains("mm_projector_decoder_blocks.0.norm1.weight"))
        #expect(!l.trainable.names.contains { $0.contains(".bn.") } && !l.target.names.contains { $0.contains(".bn.") })
        #expect(!l.fixed.names.contains { $0.contains("running_") || $0.contains("num_batches") })
        #expect(l.trainableCount == SiameseLayout(shape: TestConfigs.tiny().networkShape).trainableCount)
        // One switch alone: only that stack changes.
        c.model.projectorNorm = "bn"
        let mixed = SiameseLayout(shape: c.networkShape)
        #expect(mixed.fixed.contains("projector_decoder_blocks.0.norm1.bn.running_mean"))
        #expect(mixed.trainable.contains("predictor_decoder_blocks.0.norm1.weight"))
    }

    /// Same seed, same batch, same initial weights: only the norm differs, and so does the loss.
    @Test func layerNormChangesTheLoss() {
        let bn = TestConfigs.tiny()
        var ln = bn
        ln.model.projectorNorm = "ln"; ln.model.decoderNorm = "ln"
        let a = SiameseTrainer(config: bn, stepsPerEpoch: 10), b = SiameseTrainer(config: ln, stepsPerEpoch: 10)
        #expect(a.network.params.storage.array == b.network.params.storage.array)
        let batch = TrainerTests.randomBatch(bn, seed: 9)
        let la = a.forwardBackward(batch, momentum: 0.99).loss, lb = b.forwardBackward(batch, momentum: 0.99).loss
        #expect(la.isFinite && lb.isFinite && la != lb)
    }

    @Test func globalLossCountsItsGEMMsOnBRows() {
        var c = TestConfigs.tiny(batch: 4)
        let dense = c.stepFlops(batch: 4)
        c.loss.kind = "global"
        let global = c.stepFlops(batch: 4)
        let D = Double(c.model.dim)
        #expect(dense.total - global.total == 2 * (2 * D * D * Double(4 * 16)) - 2 * (2 * D * D * 4))
    }

    /// Every ablation preset at the smoke model shape: a few steps through the real data pipeline give finite losses.
    @Test(arguments: "abcdefghij".map { "ablation-\($0)" })
    func ablationPresetTrainsAFewSteps(preset: String) throws {
        var c = try Presets.load(nameOrPath: preset, presetsDir: presetsDir)
        let smoke = try Presets.load(nameOrPath: "smoke", presetsDir: presetsDir)
        c.model.depth = smoke.model.depth; c.model.projectorDepth = smoke.model.projectorDepth
        c.model.decoderDepth = smoke.model.decoderDepth; c.model.dim = 32
        c.train.batchSize = 4; c.train.steps = 3; c.data.source = "synthetic"
        try c.validate()
        let builder = try BatchBuilder(source: SyntheticShapes(seed: 1, count: 16, size: 28, channels: 1), config: c)
        let t = SiameseTrainer(config: c, stepsPerEpoch: builder.stepsPerEpoch)
        for step in 0..<3 {
            let r = t.step(builder.build(step: step), step: step, lr: 1e-3)
            #expect(r.loss.isFinite && r.gradNorm.isFinite, "\(preset) step \(step): loss \(r.loss)")
        }
    }
}
