import Foundation
import RunCore
import SiamTrain
@testable import MetricsStore

/// A fresh folder under /tmp, removed when the value is dropped by the test (best effort).
final class TempDir: @unchecked Sendable {
    let path: String
    init(_ label: String = "store") {
        path = NSTemporaryDirectory() + "siamon-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    var db: String { path + "/siamon.sqlite" }
    func file(_ name: String) -> String { path + "/" + name }
}

/// A StepReport whose fields are distinct functions of the step, so mixed-up keys are caught.
func report(_ step: Int, loss: Double? = nil) -> StepReport {
    let s = Double(step)
    return StepReport(step: step, epoch: s / 100, loss: loss ?? (2.5 - s * 1e-3), lossPos: 1 + s * 1e-4,
                      lossNeg: -0.5 - s * 1e-5, learningRate: 1e-3 * (s + 1) / (s + 2), emaMomentum: 0.995 + s * 1e-7,
                      gradNorm: 0.1 + s, seconds: 0.5, imagesPerSecond: 512 + s, wallTime: 1.7e9 + s)
}

/// Where the built products live (the test bundle sits next to `siamon` in .build/debug).
func builtProduct(_ name: String) -> String? {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/\(name)").path
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
}

/// The committed schema snapshot.
let schemaSnapshotPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/schema.sql").path

func readAll(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
