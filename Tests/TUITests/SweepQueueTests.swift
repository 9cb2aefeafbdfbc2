import Foundation
import MetricsStore
import SiamTrain
import Runs
import Testing
@testable import TUI

/// The live driver's queue (what `siamon train --sweep` hands the TUI): queued runs show in the run list with
/// status queued, start one at a time as slots free up, and each is probed at the end.
@Suite(.serialized) struct SweepQueueTests {
    static let smoke = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("runs/presets/smoke.json").path

    @Test func queuedRunsAppearStartInTurnAndAreProbed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("siamon.sqlite").path
        try MetricsDatabase(path: path).close()
        let queue = try LiveDriver.queue(presets: [(Self.smoke, "q-a"), (Self.smoke, "q-b"), (Self.smoke, "q-c")],
                                         overrides: ["train.steps=3", "train.batch_size=8", "mask.kind=random"])
        let driver = LiveDriver(runsDirectory: dir, databasePath: path)
        driver.enqueue(queue, policy: QueuePolicy(parallel: 1, probe: true, probeLimit: 100))
        var sawQueued: Set<String> = [], maxLive = 0, messages: [String] = []
        let deadline = Date().addingTimeInterval(90)
        while !driver.queueIdle && Date() < deadline {
            for e in driver.poll(now: Date().timeIntervalSince1970) {
                switch e {
                case .runs(let rows):
                    for r in rows where r.status == .queued && r.step == 0 && r.totalSteps == 3 { sawQueued.insert(r.id) }
                    // the store's view: a started run is running or done, never two running at once
                    maxLive = max(maxLive, rows.filter { $0.status == .running }.count)
                case .message(let m): messages.append(m)
                default: break
                }
            }
            usleep(50_000)
        }
        driver.perform(.quit(stopRunning: true))
        #expect(driver.queueIdle, "the queue did not drain in 90 s; messages: \(messages)")
        #expect(sawQueued.isSuperset(of: ["q-b", "q-c"]), "queued rows seen: \(sawQueued)")
        #expect(maxLive <= 1, "with parallel 1 at most one run trains at a time")
        let db = try MetricsDatabase(path: path, mode: .readOnly)
        defer { db.close() }
        let runs = try db.runs()
        #expect(runs.map(\.name) == ["q-a", "q-b", "q-c"], "started in queue order")
        for r in runs {
            #expect(r.status == .done && r.steps == 3, "\(r.name): \(r.status) at \(r.steps)")
            #expect(r.latestProbe?.protocolName == ProbeV1.subsetProtocolName, "\(r.name) has no subset probe")
            #expect(r.latestProbe?.linear != nil && r.latestProbe?.knn != nil)
            let wall = try #require(r.endedAt) - r.createdAt
            #expect(wall > 0 && wall < 60, "\(r.name): endedAt is the training end, not the quit")
        }
        #expect(messages.contains { $0.hasPrefix("done: q-c 3/3 steps") }, "messages: \(messages)")
    }

    /// Stop on a queued run takes it out of the queue; nothing starts for it.
    @Test func stoppingAQueuedRunDequeuesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-dequeue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("siamon.sqlite").path
        try MetricsDatabase(path: path).close()
        let queue = try LiveDriver.queue(presets: [(Self.smoke, "d-a"), (Self.smoke, "d-b")],
                                         overrides: ["train.steps=2", "train.batch_size=8"])
        let driver = LiveDriver(runsDirectory: dir, databasePath: path)
        driver.enqueue(queue, policy: QueuePolicy(parallel: 1, probe: false))
        driver.perform(.stop("d-b"))
        let deadline = Date().addingTimeInterval(60)
        while !driver.queueIdle && Date() < deadline { _ = driver.poll(now: Date().timeIntervalSince1970); usleep(50_000) }
        driver.perform(.quit(stopRunning: true))
        let db = try MetricsDatabase(path: path, mode: .readOnly)
        defer { db.close() }
        #expect(try db.runs().map(\.name) == ["d-a"])
    }

    @Test func aBadPresetFailsTheWholeQueueBeforeAnythingStarts() {
        #expect(throws: (any Error).self) {
            try LiveDriver.queue(presets: [(Self.smoke, "ok"), ("/nonexistent/ablation-z.json", "z")], overrides: [])
        }
        #expect(throws: (any Error).self) { try LiveDriver.queue(presets: [(Self.smoke, "x"), (Self.smoke, "x")], overrides: []) }
        #expect(throws: (any Error).self) { try LiveDriver.queue(presets: [(Self.smoke, "x")], overrides: ["train.nope=1"]) }
    }
}
