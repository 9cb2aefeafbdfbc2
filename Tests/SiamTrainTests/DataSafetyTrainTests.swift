import Foundation
import SiamTrain
import Tensor
import Testing
import ViT

/// Data safety in SiamTrain: step counts in `FileIntegers`, the memory estimate and its refusal, and the
/// probe's check for non-finite weights and features.
@Suite("SiamTrain data safety")
struct DataSafetyTrainTests {
    @Test("train.steps and the every-N fields stop at 2^53-1")
    func stepFieldsAreBounded() throws {
        let c = TestConfigs.tiny()
        _ = try c.applying(overrides: ["train.steps=9007199254740991", "train.checkpoint_every=9007199254740991"])
        for key in ["train.steps", "train.log_every", "train.snapshot_every", "train.checkpoint_every"] {
            #expect(throws: ConfigError.self) { try c.applying(overrides: ["\(key)=9007199254740992"]) }
            #expect(throws: ConfigError.self) { try c.applying(overrides: ["\(key)=9223372036854775807"]) }
        }
    }

    @Test("the estimate grows with the batch, counts four copies of the weights, and refuses over the limit")
    func memoryEstimate() throws {
        let c = TestConfigs.tiny()
        let small = MemoryEstimate(config: c, batch: 4), big = MemoryEstimate(config: c, batch: 400)
        #expect(big.activationBytes > 50 * small.activationBytes && big.parameterBytes == small.parameterBytes)
        let layout = SiameseLayout(shape: c.networkShape)
        #expect(small.parameterBytes >= Double(16 * layout.trainable.count))
        try MemoryCheck.require(c, what: "t", limit: (1e12, "test"))
        #expect(throws: MemoryCheck.TooLarge.self) { try MemoryCheck.require(c, what: "t", limit: (1e6, "test")) }
        do { try MemoryCheck.require(c, what: "train t", limit: (1e6, "this machine")) } catch {
            #expect("\(error)".hasPrefix("train t: needs "))
            #expect("\(error)".contains("; this machine has 0.0 GB; lower train.batch_size"))
        }
        let huge = try c.applying(overrides: ["model.dim=16384", "model.heads=16", "model.decoder_heads=16"])
        #expect(MemoryEstimate(config: huge).totalBytes > 68.7e9)   // the first arena alone failed to allocate
        #expect(MemoryEstimate(probe: c).totalBytes < MemoryEstimate(config: c, batch: 500).totalBytes)
    }

    @Test("non-finite weights name the tensor; non-finite features name the split, row and feature")
    func finiteChecks() throws {
        let net = SiameseNetwork(shape: TestConfigs.tiny().networkShape, seed: 1)
        try FiniteCheck.weights(net, source: "w")
        let e = net.params.layout.entries[3]
        net.params.pointer[e.offset + 5] = .infinity
        #expect(throws: ProbeError.nonFiniteWeights(source: "w", tensor: e.name, index: 5, value: .infinity)) {
            try FiniteCheck.weights(net, source: "w")
        }
        let buf = FloatBuffer([0, 1, 2, 3, 4, .nan])
        let set = try FeatureSet(features: buf, dim: 3, labels: [0, 1])
        do { try FiniteCheck.features(set, split: "train", source: "checkpoint-20 of run r", advice: "probe an earlier checkpoint") } catch {
            #expect("\(error)" == "probe: checkpoint-20 of run r gives non-finite features (first nan at train image 1, feature 2); probe an earlier checkpoint")
        }
    }

    @Test("a cancelled probe stops with ProbeError.interrupted")
    func cancelledProbe() throws {
        let buf = FloatBuffer((0..<40).map { Float($0 % 7) })
        let set = try FeatureSet(features: buf, dim: 4, labels: (0..<10).map { $0 % 2 })
        #expect(throws: ProbeError.interrupted(phase: "the linear probe")) {
            try ProbeV1.evaluate(train: set, test: set, classes: 2, seed: 0, cancelled: { true })
        }
    }
}

@Suite("Schedule at the integer limit")
struct ScheduleLimitTests {
    @Test("1e300 epochs give 2^53-1 steps instead of trapping")
    func hugeEpochs() throws {
        let c = try TestConfigs.tiny(steps: nil).applying(overrides: ["schedule.epochs=1e300", "schedule.warmup_epochs=0"])
        #expect(Schedule(config: c, stepsPerEpoch: 10).totalSteps == FileIntegers.max)
    }
}
