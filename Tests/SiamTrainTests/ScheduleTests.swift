import Foundation
import Testing
@testable import SiamTrain

@Suite struct ScheduleTests {
    // 4 epochs × 100 steps, warmup 0.4 epochs = 40 steps, peak 1e-3, m0 0.995.
    func make() -> Schedule {
        var c = TestConfigs.tiny(steps: nil)
        c.schedule = ScheduleConfig(epochs: 4, warmupEpochs: 0.4)
        return Schedule(config: c, stepsPerEpoch: 100)
    }

    @Test func learningRateWarmupStartsAtExactlyZero() {
        let s = make()
        #expect(s.learningRate(step: 0) == 0)              // docs/method.md §7: lr at iteration 0 is exactly 0
        #expect(abs(s.learningRate(step: 20) - 0.5e-3) < 1e-12)   // half-way through warmup
        #expect(abs(s.learningRate(step: 40) - 1e-3) < 1e-12)     // end of warmup: the peak (cos 0 = 1)
    }

    @Test func learningRateCosineMidpointAndEnd() {
        let s = make()
        #expect(abs(s.learningRate(step: 220) - 0.5e-3) < 1e-12)  // half of the cosine: ½(1 + cos π/2)
        #expect(abs(s.learningRate(step: 400)) < 1e-15)           // end: 0
        #expect(s.learningRate(step: 100) > s.learningRate(step: 300))
    }

    @Test func emaMomentumCosineFromM0ToOne() {
        let s = make()
        #expect(abs(s.emaMomentum(step: 0) - 0.995) < 1e-12)
        #expect(abs(s.emaMomentum(step: 200) - 0.9975) < 1e-12)   // midpoint: 1 − 0.005·½
        #expect(abs(s.emaMomentum(step: 400) - 1) < 1e-12)
        for k in stride(from: 0, to: 400, by: 7) { #expect(s.emaMomentum(step: k + 7) >= s.emaMomentum(step: k)) }
    }

    @Test func stepsOverrideKeepsWarmupFraction() {
        var c = TestConfigs.tiny(steps: 20)
        c.schedule = ScheduleConfig(epochs: 4, warmupEpochs: 0.4)
        let s = Schedule(config: c, stepsPerEpoch: 3750)
        #expect(s.totalSteps == 20 && abs(s.warmupSteps - 2) < 1e-12)
        #expect(s.learningRate(step: 0) == 0 && abs(s.learningRate(step: 1) - 0.5e-3) < 1e-12)
    }
}
