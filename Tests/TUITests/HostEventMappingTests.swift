import Foundation
import RunCore
import Synchronization
import Testing
@testable import MetricsStore
@testable import SiamTrain
@testable import TUI
import TestSupport

/// The events a real TrainerHost emits (RunEvent values, stored as kind + detailJSON the way the store writer
/// stores them) become the TUI's chart marks: no hand-written detail strings.
@Suite(.serialized) struct HostEventMappingTests {
    final class Events: ReportSink, @unchecked Sendable {
        let list = Mutex<[(step: Int, event: RunEvent)]>([])
        let steps = Atomic<Int>(-1)
        func record(_ report: StepReport) { steps.store(report.step, ordering: .relaxed) }
        func event(step: Int, _ event: RunEvent) { list.withLock { $0.append((step, event)) } }
        var all: [(step: Int, event: RunEvent)] { list.withLock { $0 } }
    }

    static func waitFor(_ what: String, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while !condition() && Date() < deadline { usleep(5_000) }
        #expect(condition(), "timed out waiting for \(what)")
    }

    @Test func realHostEventsBecomeMarksThroughTheirTypedDetails() throws {
        let dir = URL(fileURLWithPath: TempDir.fresh("host-events"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Presets.load(nameOrPath: "smoke", presetsDir: repositoryRoot.appendingPathComponent("runs/presets"))
            .applying(overrides: ["data.source=synthetic", "model.dim=32", "train.steps=400", "train.checkpoint_every=0",
                                  "train.snapshot_every=0"])
        let sink = Events()
        let host = TrainerHost(name: "ev") {
            try TrainingSession(name: "ev", config: config, runDirectory: dir, sinks: [sink], resume: false)
        }
        host.start()
        defer { if host.status.isLive { host.send(.stop) }; host.join() }
        Self.waitFor("the first step") { sink.steps.load(ordering: .relaxed) >= 0 }
        host.send(.scaleLearningRate(1.25))
        host.send(.checkpoint)
        host.send(.pause)
        Self.waitFor("the pause") { host.status.phase == .paused }
        host.send(.resume)
        Self.waitFor("the resume") { host.status.phase == .running }
        host.send(.stop)
        host.join()
        let records = sink.all.enumerated().map { i, e in
            EventRecord(id: Int64(i + 1), runId: 1, step: e.step, wallTime: 0, kind: e.event.kind.rawValue, detail: e.event.detailJSON)
        }
        let marks = records.compactMap(LiveMapping.event)
        let kinds = marks.map(\.kind)
        #expect(kinds.contains(.lrScale) && kinds.contains(.checkpoint) && kinds.contains(.pause) && kinds.contains(.resume)
                && kinds.contains(.stop), "marks: \(marks)")
        #expect(marks.first { $0.kind == .lrScale }?.detail == "×1.25")
        // Every record decodes through RunEvent, and the marks keep each event's step.
        for (r, e) in zip(records, sink.all) { #expect(RunEvent(kind: r.kind, detail: r.detail) == e.event) }
        #expect(marks.map(\.step) == records.filter { LiveMapping.event($0) != nil }.map(\.step))
    }
}
