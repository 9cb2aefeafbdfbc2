import Foundation
import RunCore
import Tensor
import ViT

/// One probe-v1 evaluation end to end: the preset's train and test splits, features (an encoder's or raw
/// pixels), both probes, and the one-line summary `siamon probe` prints.
public enum ProbeRun {
    /// The labelled splits at the preset's geometry.
    public struct Splits {
        public let train: ProbeImages
        public let test: ProbeImages
        public let classes: Int

        public init(train: ProbeImages, test: ProbeImages) throws(ProbeError) {
            self.train = train; self.test = test
            classes = max(try train.labels().max() ?? 0, try test.labels().max() ?? 0) + 1
        }
    }

    public struct Outcome: Sendable {
        public let name: String
        public let result: ProbeV1.Result
        public let dim: Int
        public let trainCount: Int
        public let testCount: Int
        /// Feature extraction time, and the whole evaluation's (features + both probes).
        public let featureSeconds: Double
        public let seconds: Double
        /// The train and test features the probes saw (before standardisation), for `--save-features`.
        public let train: FeatureSet
        public let test: FeatureSet

        /// `probe-v1  linear 84.13 %  kNN 84.59 %  (features D=128, 60000 train / 10000 test, 95.2 s)`.
        public var line: String {
            let label = name.isEmpty ? "probe-v1" : "probe-v1 [\(name)]"
            return String(format: "%@  linear %.2f %%  kNN %.2f %%  (features D=%d, %d train / %d test, %.1f s)",
                          label, result.linear, result.knn, dim, trainCount, testCount, seconds)
        }
    }

    /// The splits of `data` (DataSources.make), keeping the first `limitTrain` / `limitTest` images.
    public static func splits(data: DataConfig, limitTrain: Int? = nil, limitTest: Int? = nil,
                              cancelled: () -> Bool = { false }) throws -> Splits {
        for (flag, v) in [("--limit-train", limitTrain), ("--limit-test", limitTest)] {
            if let n = v, n <= 0 { throw ProbeError.input("\(flag) must be > 0, got \(n)") }
        }
        let train = try ProbeImages(source: DataSources.make(data, split: .train, cancelled: cancelled), data: data, limit: limitTrain)
        if cancelled() { throw ProbeError.interrupted(phase: "data loading") }
        let test = try ProbeImages(source: DataSources.make(data, split: .test, cancelled: cancelled), data: data, limit: limitTest)
        if cancelled() { throw ProbeError.interrupted(phase: "data loading") }
        return try Splits(train: train, test: test)
    }

    /// probe-v1 on the encoder features of `network` (its live weights). `source` names the weights in errors
    /// ("checkpoint-20 of run r1"); non-finite weights or features fail with the first tensor or feature that
    /// is not finite. `cancelled` is polled between chunks and epochs (`ProbeError.interrupted`).
    public static func encoder(_ network: SiameseNetwork, splits: Splits, seed: UInt64, name: String = "",
                               source: String = "the encoder", linearConfig: SoftmaxRegression.Config = .v1,
                               cancelled: () -> Bool = { false }) throws(ProbeError) -> Outcome {
        let t0 = Date()
        try FiniteCheck.weights(network, source: source)
        let extractor = FeatureExtractor(network: network)
        let train = try extractor.features(of: splits.train, cancelled: cancelled)
        let test = try extractor.features(of: splits.test, cancelled: cancelled)
        let advice = "its weights are finite, so the activations overflow; probe an earlier checkpoint"
        try FiniteCheck.features(train, split: "train", source: source, advice: advice)
        try FiniteCheck.features(test, split: "test", source: source, advice: advice)
        return try evaluate(name: name, train: train, test: test, splits: splits, seed: seed, start: t0,
                            featureSeconds: Date().timeIntervalSince(t0), linearConfig: linearConfig, cancelled: cancelled)
    }

    /// probe-v1 on raw pixels / 255.
    public static func pixels(splits: Splits, seed: UInt64, name: String = "raw pixels",
                              linearConfig: SoftmaxRegression.Config = .v1,
                              cancelled: () -> Bool = { false }) throws(ProbeError) -> Outcome {
        let t0 = Date()
        let train = try splits.train.pixelFeatures(), test = try splits.test.pixelFeatures()
        return try evaluate(name: name, train: train, test: test, splits: splits, seed: seed, start: t0,
                            featureSeconds: Date().timeIntervalSince(t0), linearConfig: linearConfig, cancelled: cancelled)
    }

    static func evaluate(name: String, train: FeatureSet, test: FeatureSet, splits: Splits, seed: UInt64, start: Date,
                         featureSeconds: Double, linearConfig: SoftmaxRegression.Config,
                         cancelled: () -> Bool) throws(ProbeError) -> Outcome {
        let r = try ProbeV1.evaluate(train: train, test: test, classes: splits.classes, seed: seed,
                                     linearConfig: linearConfig, cancelled: cancelled)
        return Outcome(name: name, result: r, dim: train.dim, trainCount: train.count, testCount: test.count,
                       featureSeconds: featureSeconds, seconds: Date().timeIntervalSince(start), train: train, test: test)
    }

    /// The `probe` event's detail JSON.
    /// The `probe` event's detail.
    public static func eventDetail(_ o: Outcome, checkpoint: String?) -> RunEvent.ProbeResult {
        RunEvent.ProbeResult(protocol: ProbeV1.protocolName, linear: o.result.linear, knn: o.result.knn, dim: o.dim,
                             train: o.trainCount, test: o.testCount, seconds: o.seconds, checkpoint: checkpoint)
    }
}
