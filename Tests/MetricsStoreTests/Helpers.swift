// Shared test code. TempDir, ChildProcess and builtProduct come from TestSupport, for every file here.
@_exported import TestSupport
import Foundation
import RunCore
import SiamTrain
@testable import MetricsStore

/// A StepReport whose fields are distinct functions of the step, so mixed-up keys are caught.
func report(_ step: Int, loss: Double? = nil) -> StepReport {
    let s = Double(step)
    return StepReport(step: step, epoch: s / 100, loss: loss ?? (2.5 - s * 1e-3), lossPos: 1 + s * 1e-4,
                      lossNeg: -0.5 - s * 1e-5, learningRate: 1e-3 * (s + 1) / (s + 2), emaMomentum: 0.995 + s * 1e-7,
                      gradNorm: 0.1 + s, seconds: 0.5, imagesPerSecond: 512 + s, wallTime: 1.7e9 + s)
}

/// The committed schema snapshot.
let schemaSnapshotPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/schema.sql").path

func readAll(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

let python3 = "/usr/bin/python3"
let shimPath = repositoryRoot.appendingPathComponent("python/siamon_log.py").path
