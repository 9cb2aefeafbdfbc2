import Foundation
import SiamTrain
import Tensor
import TestSupport
import Testing

/// Builds a FeatureSet from rows (tests only; shapes are right by construction).
func featureSet(_ rows: [[Float]], _ labels: [Int]) -> FeatureSet {
    try! FeatureSet(features: FloatBuffer(rows.flatMap { $0 }), dim: rows[0].count, labels: labels)
}

/// `perClass` points around each of `centres`, with uniform noise of half-width `noise`.
func clusters(_ centres: [[Float]], perClass: Int, noise: Float, seed: UInt64) -> FeatureSet {
    var rng = SeededRNG(seed: seed)
    var rows: [[Float]] = [], labels: [Int] = []
    for _ in 0..<perClass {
        for (c, centre) in centres.enumerated() {
            rows.append(centre.map { $0 + Float(rng.uniform(-1, 1)) * noise })
            labels.append(c)
        }
    }
    return featureSet(rows, labels)
}

@Suite("probe-v1 linear")
struct ProbeLinearTests {
    static let centres: [[Float]] = [[4, 0, 1], [0, 4, 1], [-4, 0, 1], [0, -4, 1]]
    static let quick = SoftmaxRegression.Config(epochs: 40, batchSize: 16, learningRate: 1e-2)

    @Test func separableClustersReachFullAccuracy() throws {
        let train = clusters(Self.centres, perClass: 50, noise: 1, seed: 1)
        let test = clusters(Self.centres, perClass: 25, noise: 1, seed: 2)
        let acc = try ProbeV1.linear(train: train, test: test, classes: 4, seed: 7, config: Self.quick)
        #expect(acc == 100)
        let model = SoftmaxRegression(train: Standardisation(train: train).apply(to: train), classes: 4, seed: 7,
                                      config: Self.quick)
        // Mean cross-entropy starts at log 4 (zero init) and must fall well below it.
        #expect(abs(model.epochLoss[0] - log(4.0)) < 0.2)
        #expect(model.epochLoss.last! < 0.3 * log(4.0))
        #expect(model.epochLoss.last! < model.epochLoss[model.epochLoss.count / 2])
    }

    @Test func firstAdamStepMovesEachParameterByLrAgainstTheGradientSign() {
        // At zero init p = 1/C for every class, so dLoss/dW[j,c] = mean_i x[i,j]·(1/C − [y_i = c]) and the bias
        // gradient is mean_i (1/C − [y_i = c]). Adam's first step is −lr·g/(|g| + eps) = −lr·sign(g).
        let train = featureSet([[1, -2, 0.5], [2, 1, -1], [-1, 0.5, 2], [0.3, 3, 1]], [0, 2, 1, 2])
        let lr: Float = 0.01
        let m = SoftmaxRegression(train: train, classes: 3, seed: 0, config: .init(epochs: 1, batchSize: 4, learningRate: lr))
        let rows: [[Double]] = [[1, -2, 0.5], [2, 1, -1], [-1, 0.5, 2], [0.3, 3, 1]], y = [0, 2, 1, 2]
        var expectW: [Float] = [], expectB: [Float] = []
        for j in 0..<3 {
            for c in 0..<3 {
                let g = (0..<4).reduce(0.0) { $0 + rows[$1][j] * (1.0 / 3 - (y[$1] == c ? 1 : 0)) } / 4
                expectW.append(-lr * Float(g.sign == .minus ? -1 : 1))
            }
        }
        for c in 0..<3 {
            let g = (0..<4).reduce(0.0) { $0 + (1.0 / 3 - (y[$1] == c ? 1 : 0)) } / 4
            expectB.append(-lr * Float(g.sign == .minus ? -1 : 1))
        }
        expectClose(m.weights, expectW, atol: 1e-7, rtol: 1e-4, "weights after one step")
        expectClose(m.bias, expectB, atol: 1e-7, rtol: 1e-4, "bias after one step")
        #expect(abs(m.epochLoss[0] - log(3.0)) < 1e-6)
    }

    @Test func standardisationUsesTrainStatisticsOnly() throws {
        let train = featureSet([[1, 10], [3, 10], [5, 10]], [0, 1, 1])
        let test = featureSet([[7, 11], [9, 11]], [1, 1])
        let s = Standardisation(train: train)
        let std0 = (8.0 / 3.0).squareRoot()  // population std of 1, 3, 5
        expectClose(s.mean, [3, 10], "mean")
        expectClose(s.std, [Float(std0), 0], "std")
        let out = s.apply(to: test).features.array
        // With the test set's own stats the first column would be ±1 and the second 0.
        let expected = [4 / (std0 + 1e-6), 1 / 1e-6, 6 / (std0 + 1e-6), 1 / 1e-6].map { Float($0) }
        expectClose(out, expected, atol: 0, rtol: 1e-5, "standardised test rows")
    }

    @Test func linearProbeStandardisesTestWithTrainStats() throws {
        // 1-D: class 0 in [0, 1], class 1 in [2, 3]. The test set holds only class 1 samples; standardising
        // it with its own mean would centre it on the boundary and misclassify about half.
        var rng = SeededRNG(seed: 3)
        let xs = (0..<200).map { i -> [Float] in [Float(rng.uniform()) + (i % 2 == 0 ? 0 : 2)] }
        let train = featureSet(xs, (0..<200).map { $0 % 2 })
        let test = featureSet((0..<40).map { [2 + Float($0) / 40] }, [Int](repeating: 1, count: 40))
        let acc = try ProbeV1.linear(train: train, test: test, classes: 2, seed: 0, config: Self.quick)
        #expect(acc == 100)
    }

    @Test func sameSeedSameModelOtherSeedOtherModel() {
        let train = clusters(Self.centres, perClass: 30, noise: 3, seed: 4)
        let a = SoftmaxRegression(train: train, classes: 4, seed: 11, config: Self.quick)
        let b = SoftmaxRegression(train: train, classes: 4, seed: 11, config: Self.quick)
        let c = SoftmaxRegression(train: train, classes: 4, seed: 12, config: Self.quick)
        #expect(a.weights == b.weights && a.bias == b.bias)
        #expect(a.weights != c.weights)  // another shuffle order gives other Adam steps
    }

    @Test func partialLastBatchIsKept() {
        // 17 samples at batch 16: two Adam steps per epoch (16 + 1); dropping the partial batch would give one.
        let rows: [[Float]] = (0..<17).map { i in [i % 2 == 0 ? -1 : 1, Float(i) / 17] }
        let train = featureSet(rows, (0..<17).map { $0 % 2 })
        let split = SoftmaxRegression(train: train, classes: 2, seed: 0, config: .init(epochs: 3, batchSize: 16))
        #expect(split.steps == 6)
        let whole = SoftmaxRegression(train: train, classes: 2, seed: 0, config: .init(epochs: 3, batchSize: 17))
        #expect(whole.steps == 3)
        // With one batch of all 17 at zero init, every sample's loss is log 2 in the first epoch.
        #expect(abs(whole.epochLoss[0] - log(2.0)) < 1e-6)
        #expect(split.weights != whole.weights)
    }

    @Test func badInputsThrowClearErrors() throws {
        let train = featureSet([[1, 2], [3, 4]], [0, 1])
        let test3 = featureSet([[1, 2, 3]], [0])
        #expect(throws: ProbeError.dimMismatch(train: 2, test: 3)) {
            try ProbeV1.linear(train: train, test: test3, classes: 2, seed: 0)
        }
        #expect(throws: ProbeError.badLabel(label: 1, index: 1, classes: 1)) {
            try ProbeV1.knn(train: train, test: train, classes: 1)
        }
        #expect(throws: ProbeError.featureCountMismatch(features: 3, count: 2, dim: 2)) {
            try FeatureSet(features: FloatBuffer([1, 2, 3]), dim: 2, labels: [0, 1])
        }
        #expect(throws: ProbeError.self) { try ProbeV1.knn(train: train, test: train, classes: 2, k: 0) }
        let message = ProbeError.dimMismatch(train: 2, test: 3).description
        #expect(message.contains("dim 2") && !message.contains("\n"))
    }
}
