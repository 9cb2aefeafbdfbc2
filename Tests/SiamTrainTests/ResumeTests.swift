import Foundation
import RunCore
import Testing
import Tensor
@testable import SiamTrain

/// A checkpointed run that is resumed continues with bit-identical losses: the same seed gives the
/// same losses as an uninterrupted run, because the data order and every augmentation draw depend only on
/// (seed, step) and the checkpoint holds the weights, the target, the AdamW moments and its step count.
@Suite(.serialized) struct ResumeTests {
    final class Collect: ReportSink, @unchecked Sendable {
        var losses: [Double] = []
        func record(_ report: StepReport) { losses.append(report.loss) }
    }

    func config() throws -> RunConfig {
        var c = TestConfigs.tiny(batch: 4, steps: 8)
        c.data = DataConfig(source: "synthetic", path: nil, imageSize: 16, channels: 1, mean: [0.5], std: [0.25])
        c.train.snapshotEvery = 0
        c.train.checkpointEvery = 0
        return c
    }

    @Test func resumedRunContinuesWithIdenticalLosses() throws {
        let saved = Blas.threads; Blas.threads = 1; defer { Blas.threads = saved }
        let c = try config()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }

        let straight = Collect()
        let a = try TrainingSession(name: "a", config: c, runDirectory: base.appendingPathComponent("a"), sinks: [straight], resume: false)
        while !a.isFinished { a.runStep() }
        a.close()

        let first = Collect(), second = Collect()
        let dir = base.appendingPathComponent("b")
        let b1 = try TrainingSession(name: "b", config: c, runDirectory: dir, sinks: [first], resume: false)
        for _ in 0..<5 { b1.runStep() }
        try b1.saveCheckpoint()
        b1.close()
        let b2 = try TrainingSession(name: "b", config: c, runDirectory: dir, sinks: [second], resume: true)
        #expect(b2.step == 5)
        while !b2.isFinished { b2.runStep() }
        b2.close()

        #expect(straight.losses.count == 8)
        #expect(first.losses + second.losses == straight.losses,
                "uninterrupted \(straight.losses) vs resumed \(first.losses) + \(second.losses)")
    }
}
