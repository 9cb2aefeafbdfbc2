import Foundation
import Testing
import TestSupport

/// `siamon train --preset smoke --headless` on real Fashion-MNIST: it exits 0, logs every step, and the loss is
/// finite and decreasing.
@Suite struct HeadlessTrainTests {
    @Test func smokePresetTrainsWithFiniteDecreasingLoss() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("headless-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        let r = spawnAndWait(TUIEndToEndTests.binary, ["train", "--preset", "smoke", "--headless", "--runs", runs.path,
                                                       "--name", "ci-smoke"], timeout: 600)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("done: ci-smoke 20 steps"), "stdout: \(r.stdout)")
        let lines = try String(contentsOfFile: runs.appendingPathComponent("ci-smoke/steps.jsonl").path, encoding: .utf8)
            .split(separator: "\n")
        let losses: [Double] = lines.compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return obj["loss"] as? Double
        }
        #expect(losses.count == 20)
        #expect(losses.allSatisfy { $0.isFinite })
        let head = losses.prefix(5).reduce(0, +) / 5, tail = losses.suffix(5).reduce(0, +) / 5
        #expect(tail < head * 0.8, "loss did not decrease: first five \(head), last five \(tail)")
    }
}

@Suite struct DescribeTests {
    /// The base preset builds ViT-B/16 and reports the official parameter count (docs/method.md §9), without training.
    @Test func basePresetReportsOfficialParameterCount() {
        let r = spawnAndWait(TUIEndToEndTests.binary, ["train", "--preset", "base", "--describe"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("parameters: 129,944,832 trainable + 590,592 frozen"), "stdout: \(r.stdout)")
    }
}
