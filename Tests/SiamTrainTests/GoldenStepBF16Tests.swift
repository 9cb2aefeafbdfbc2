import Testing
import Tensor
import TestSupport
@testable import SiamTrain

/// The golden step (the smoke shape, the PyTorch reference's inputs and initial weights) in
/// train.precision = bf16 against the same step in fp32: the loss within 1e-2 relative, and every gradient
/// pointing the same way (cosine similarity ≥ 0.999). bf16 rounds the products' operands only, so the step
/// must stay this close; a wrong operand, layout or scope would break the cosines by orders of magnitude.
@Suite(.serialized) struct GoldenStepBF16Tests {
    static let available = OwnGemm.bf16Usable

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var (ab, aa, bb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) { ab += Double(x) * Double(y); aa += Double(x) * Double(x); bb += Double(y) * Double(y) }
        if aa == 0 && bb == 0 { return 1 }   // both exactly zero: the same direction
        return ab / (aa.squareRoot() * bb.squareRoot())
    }

    /// One forwardBackward of the golden step in `precision` on one thread: the loss and every gradient.
    static func run(_ precision: String) throws -> (loss: Double, grads: [String: [Float]], reference: Double) {
        var g = try GoldenStepTests.load()
        g = GoldenStepTests.Golden(file: g.file, config: { var c = g.config; c.train.precision = precision; return c }(),
                                   batch: g.batch)
        let t = try GoldenStepTests.trainer(g)
        let saved = Blas.threads; Blas.threads = 1; defer { Blas.threads = saved }
        let value = t.forwardBackward(g.batch, momentum: Double(try g.values("momentum")[0]))
        let grads = Dictionary(uniqueKeysWithValues: t.network.trainableNames.map { ($0, t.network.grads[$0].array) })
        return (value.loss, grads, Double(try g.values("loss")[0]))
    }

    @Test(.enabled(if: available)) func lossAndEveryGradientMatchFP32() throws {
        let fp32 = try Self.run("fp32"), bf16 = try Self.run("bf16")
        let lossErr = abs(bf16.loss - fp32.loss) / abs(fp32.loss)
        #expect(lossErr <= 1e-2, "loss bf16 \(bf16.loss) vs fp32 \(fp32.loss)")
        #expect(abs(bf16.loss - bf16.reference) <= 1e-2 * abs(bf16.reference), "loss bf16 vs the PyTorch reference")
        #expect(bf16.loss != fp32.loss, "the bf16 step ran in fp32")
        var worst = (name: "", cos: 1.0)
        for (name, g32) in fp32.grads.sorted(by: { $0.key < $1.key }) {
            let cos = Self.cosine(bf16.grads[name] ?? [], g32)
            if cos < worst.cos { worst = (name, cos) }
            #expect(cos >= 0.999, "grad.\(name): cosine \(cos) between bf16 and fp32")
        }
        print("golden step bf16: loss \(bf16.loss) vs fp32 \(fp32.loss) (rel \(lossErr)), lowest cosine \(worst.name) \(worst.cos)")
    }

    /// The smoke preset's step (batch 16, synthetic images, its own initial weights) on two threads, so the
    /// products split over workers: the same bounds hold.
    @Test(.enabled(if: available)) func smokePresetStepMatchesFP32() throws {
        var c = try Presets.load(nameOrPath: "smoke", presetsDir: presetsDir)
        c.data.source = "synthetic"; c.data.path = nil
        let saved = Blas.threads; Blas.threads = 2; defer { Blas.threads = saved }
        func run(_ precision: String) -> (Double, [String: [Float]]) {
            var config = c
            config.train.precision = precision
            let t = SiameseTrainer(config: config, stepsPerEpoch: 100)
            let value = t.forwardBackward(StepBench.syntheticBatch(config: config, seed: 11), momentum: 0.995)
            return (value.loss, Dictionary(uniqueKeysWithValues: t.network.trainableNames.map { ($0, t.network.grads[$0].array) }))
        }
        let (loss32, grads32) = run("fp32"), (loss16, grads16) = run("bf16")
        #expect(abs(loss16 - loss32) <= 1e-2 * abs(loss32), "loss bf16 \(loss16) vs fp32 \(loss32)")
        #expect(loss16 != loss32, "the bf16 step ran in fp32")
        for (name, g32) in grads32.sorted(by: { $0.key < $1.key }) {
            let cos = Self.cosine(grads16[name] ?? [], g32)
            #expect(cos >= 0.999, "grad.\(name): cosine \(cos) between bf16 and fp32")
        }
    }
}
