import Foundation
import Tensor

/// Per-iteration schedules, pure functions of the step (docs/method.md §7).
/// Progress is measured in steps: with `steps` unset, totalSteps = epochs × stepsPerEpoch and
/// warmupSteps = warmupEpochs × stepsPerEpoch, which is the official fractional-epoch schedule.
public struct Schedule: Sendable, Equatable {
    public let peakLR: Double
    public let totalSteps: Int
    public let warmupSteps: Double
    public let momentum0: Double
    public let stepsPerEpoch: Int

    public init(config: RunConfig, stepsPerEpoch: Int) {
        precondition(stepsPerEpoch > 0, "stepsPerEpoch must be > 0")
        self.stepsPerEpoch = stepsPerEpoch
        peakLR = config.optimizer.lr
        momentum0 = config.ema.momentum
        // Capped at the file-integer limit: schedule.epochs is any finite Double, and 1e300 epochs must not trap.
        let fromEpochs = Int(Swift.min((config.schedule.epochs * Double(stepsPerEpoch)).rounded(), FileIntegers.maxDouble))
        totalSteps = max(1, config.train.steps ?? fromEpochs)
        warmupSteps = Double(totalSteps) * config.schedule.warmupEpochs / config.schedule.epochs
    }

    /// Linear warmup from exactly 0, then half-cycle cosine to 0 (min_lr = 0).
    public func learningRate(step: Int) -> Double {
        let s = Double(step)
        if s < warmupSteps { return peakLR * s / warmupSteps }
        let span = Double(totalSteps) - warmupSteps
        guard span > 0 else { return 0 }
        return peakLR * 0.5 * (1 + cos(Double.pi * min(1, (s - warmupSteps) / span)))
    }

    /// m(t) = 1 − (1 − m0)·½(1 + cos(π t / E)): m0 at step 0, 1 at the end; no warmup.
    public func emaMomentum(step: Int) -> Double {
        let progress = min(1, Double(step) / Double(totalSteps))
        return 1 - (1 - momentum0) * 0.5 * (1 + cos(Double.pi * progress))
    }

    public func epoch(step: Int) -> Double { Double(step) / Double(stepsPerEpoch) }

    /// The planned curve, sampled at `points` steps across the whole run (for the TUI's dim overlay).
    public func planned(points: Int, _ f: (Int) -> Double) -> [(step: Int, value: Double)] {
        let n = max(2, points)
        return (0..<n).map { i in
            let s = Int((Double(i) / Double(n - 1) * Double(totalSteps)).rounded())
            return (s, f(s))
        }
    }
}
