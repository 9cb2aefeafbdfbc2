import Foundation
import SiamTrain
import Tensor
import Testing

@Suite("probe-v1 kNN")
struct ProbeKNNTests {
    /// A unit vector at `degrees`, scaled by `norm` (kNN must not care about the scale).
    static func at(_ degrees: Double, _ norm: Float = 1) -> [Float] {
        [Float(cos(degrees * .pi / 180)) * norm, Float(sin(degrees * .pi / 180)) * norm]
    }

    // Test point at 0°. Cosines: A(10°, class 0) 0.9848, B(20°, class 1) 0.9397, C(−25°, class 1) 0.9063,
    // D(90°, class 0) 0, E(180°, class 2) −1. With k = 3 the neighbours are A, B, C.
    // T = 0.07: class 0 gets e^14.069 = 1.29e6, class 1 gets e^13.424 + e^12.947 = 6.76e5 + 4.20e5 = 1.10e6 → 0.
    // T = 1: class 0 gets e^0.985 = 2.68, class 1 gets e^0.940 + e^0.906 = 2.56 + 2.47 = 5.03 → 1.
    static let train = featureSet([at(10, 0.1), at(20, 10), at(-25, 3), at(90, 2), at(180, 5)], [0, 1, 1, 0, 2])
    static let test = featureSet([at(0, 7)], [0])

    @Test func handComputedNeighboursAndWeights() {
        func predict(_ k: Int, _ t: Float) -> Int {
            KNearest.predict(train: Self.train, test: Self.test, classes: 3, k: k, temperature: t)[0]
        }
        #expect(predict(3, 0.07) == 0)  // the sharp temperature lets the single closest sample win
        #expect(predict(3, 1) == 1)     // a flat temperature lets the two class-1 neighbours win
        #expect(predict(1, 0.07) == 0)
        #expect(predict(2, 1) == 0)     // A and B: e^0.985 > e^0.940
        #expect(predict(5, 1) == 1)     // adds D (e^0 to class 0) and E (e^-1 to class 2): 3.68 vs 5.03
    }

    @Test func matchesBruteForceAcrossBlocksAndThreads() throws {
        // 300 test rows span two sgemm blocks (256 + 44) and both worker halves of each.
        var rng = SeededRNG(seed: 5)
        func rows(_ n: Int) -> [[Float]] { (0..<n).map { _ in (0..<16).map { _ in Float(rng.normal()) } } }
        let trainRows = rows(500), testRows = rows(300)
        let trainLabels = (0..<500).map { _ in rng.int(0, 4) }
        let train = featureSet(trainRows, trainLabels), test = featureSet(testRows, [Int](repeating: 0, count: 300))
        let got = KNearest.predict(train: train, test: test, classes: 5, k: 20, temperature: 0.07)
        func unit(_ v: [Float]) -> [Double] {
            let n = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            return v.map { Double($0) / n }
        }
        let trainUnit = trainRows.map(unit)
        for (i, row) in testRows.enumerated() {
            let q = unit(row)
            let sims = trainUnit.map { t in zip(q, t).reduce(0) { $0 + $1.0 * $1.1 } }
            let top = sims.indices.sorted { sims[$0] > sims[$1] }.prefix(20)
            var votes = [Double](repeating: 0, count: 5)
            for j in top { votes[trainLabels[j]] += exp(sims[j] / 0.07) }
            let want = votes.indices.max { votes[$0] < votes[$1] }!
            #expect(got[i] == want, "test row \(i)")
        }
    }

    @Test func accuracyAndDeterminism() throws {
        let acc = try ProbeV1.knn(train: Self.train, test: Self.test, classes: 3, k: 3)
        #expect(acc == 100)
        let wrong = featureSet([Self.at(0, 7)], [1])
        #expect(try ProbeV1.knn(train: Self.train, test: wrong, classes: 3, k: 3) == 0)
        let train = clusters(ProbeLinearTests.centres, perClass: 40, noise: 3, seed: 8)
        let test = clusters(ProbeLinearTests.centres, perClass: 20, noise: 3, seed: 9)
        let quick = SoftmaxRegression.Config(epochs: 5, batchSize: 32)
        let a = try ProbeV1.evaluate(train: train, test: test, classes: 4, seed: 3, linearConfig: quick)
        let b = try ProbeV1.evaluate(train: train, test: test, classes: 4, seed: 3, linearConfig: quick)
        #expect(a.linear == b.linear && a.knn == b.knn)
        #expect(a.linear > 50 && a.knn > 50)  // noisy but well-separated clusters, 4 classes (chance 25)
        #expect(a.seconds >= a.linearSeconds + a.knnSeconds - 1e-3)
        #expect(ProbeV1.protocolName == "probe-v1")
    }
}
