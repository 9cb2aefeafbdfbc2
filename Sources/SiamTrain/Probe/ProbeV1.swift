import Foundation
import Tensor

/// probe-v1 (docs/probe-v1.md): a linear probe and a kNN probe on frozen features, both reported as test top-1 %.
/// It takes any features (raw pixels, a random encoder, a trained one), so the baselines use the same code.
public enum ProbeV1 {
    /// The name under which results are stored, so that numbers from other protocols are never compared.
    public static let protocolName = "probe-v1"

    public struct Result: Sendable, Equatable {
        /// Test top-1 %, linear probe.
        public var linear: Double
        /// Test top-1 %, kNN probe.
        public var knn: Double
        /// Wall time of the whole evaluation, and of each half.
        public var seconds: Double
        public var linearSeconds: Double
        public var knnSeconds: Double
    }

    /// Both probes, linear first. `seed` drives the linear probe's shuffles; kNN has no randomness.
    /// `cancelled` is polled between the linear probe's epochs and the kNN blocks (`ProbeError.interrupted`).
    public static func evaluate(train: FeatureSet, test: FeatureSet, classes: Int, seed: UInt64,
                                linearConfig: SoftmaxRegression.Config = .v1,
                                cancelled: () -> Bool = { false }) throws(ProbeError) -> Result {
        let t0 = Date()
        let lin = try linear(train: train, test: test, classes: classes, seed: seed, config: linearConfig, cancelled: cancelled)
        let t1 = Date()
        let kn = try knn(train: train, test: test, classes: classes, cancelled: cancelled)
        let t2 = Date()
        return Result(linear: lin, knn: kn, seconds: t2.timeIntervalSince(t0),
                      linearSeconds: t1.timeIntervalSince(t0), knnSeconds: t2.timeIntervalSince(t1))
    }

    /// Standardise with the train split's statistics, train softmax regression with Adam, report test top-1 %.
    public static func linear(train: FeatureSet, test: FeatureSet, classes: Int, seed: UInt64,
                              config: SoftmaxRegression.Config = .v1,
                              cancelled: () -> Bool = { false }) throws(ProbeError) -> Double {
        try check(train: train, test: test, classes: classes)
        guard config.epochs >= 0, config.batchSize > 0, config.learningRate.isFinite else {
            throw .badParameter("linear probe needs epochs >= 0, batch size > 0 and a finite lr, got \(config)")
        }
        let standardisation = Standardisation(train: train)
        let model = SoftmaxRegression(train: standardisation.apply(to: train), classes: classes, seed: seed,
                                      config: config, cancelled: cancelled)
        if cancelled() { throw .interrupted(phase: "the linear probe") }
        return accuracy(model.predict(standardisation.apply(to: test)), test.labels)
    }

    /// Cosine kNN with k neighbours and vote weights exp(sim / temperature); reports test top-1 %.
    public static func knn(train: FeatureSet, test: FeatureSet, classes: Int, k: Int = 20,
                           temperature: Float = 0.07, cancelled: () -> Bool = { false }) throws(ProbeError) -> Double {
        try check(train: train, test: test, classes: classes)
        guard k > 0, temperature > 0, temperature.isFinite else {
            throw .badParameter("kNN probe needs k > 0 and a positive finite temperature, got k \(k), T \(temperature)")
        }
        let predicted = KNearest.predict(train: train, test: test, classes: classes, k: k, temperature: temperature,
                                         cancelled: cancelled)
        if cancelled() { throw .interrupted(phase: "the kNN probe") }
        return accuracy(predicted, test.labels)
    }

    /// Percentage of predictions equal to the labels.
    public static func accuracy(_ predicted: [Int], _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let hits = zip(predicted, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return 100 * Double(hits) / Double(labels.count)
    }

    static func check(train: FeatureSet, test: FeatureSet, classes: Int) throws(ProbeError) {
        guard classes > 0 else { throw .badParameter("the class count must be > 0, got \(classes)") }
        guard train.dim == test.dim else { throw .dimMismatch(train: train.dim, test: test.dim) }
        try train.validate(classes: classes, name: "train")
        try test.validate(classes: classes, name: "test")
    }
}
