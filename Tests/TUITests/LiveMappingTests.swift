import Testing
@testable import MetricsStore
@testable import TUI

/// Which stored events become chart marks, and with what label.
@Suite struct LiveMappingEventTests {
    func mark(_ kind: String, _ detail: String = "{}") -> EventMark? {
        LiveMapping.event(EventRecord(id: 1, runId: 1, step: 7, wallTime: 0, kind: kind, detail: detail))
    }

    @Test func faultsAndRollbacksAreMarkedAndBookkeepingIsNot() {
        #expect(mark("rollback", "{\"from_step\":9,\"to_step\":6}") == EventMark(step: 7, kind: .other, detail: "rollback"))
        #expect(mark("nan") == EventMark(step: 7, kind: .other, detail: "nan"))
        #expect(mark("disk_full")?.detail == "disk_full")
        #expect(mark("checkpoint_skipped") == nil)
        #expect(mark("lr_scale", "{\"factor\":0.5,\"scale\":0.5}") == EventMark(step: 7, kind: .lrScale, detail: "×0.5"))
    }
}
