import Foundation
import Testing
@testable import MetricsStore
@testable import TUI
import TestSupport

/// The cursor's readout against a real store: the value shown is the stored Double to the last digit, at the
/// nearest logged step, and the time axes come from the pyramid's wall times.
@Suite struct ReadoutStoreTests {
    /// Values whose shortest round-trip text is long, logged every 10 steps with fractional wall times.
    static let values: [Double] = [0.1 + 0.2, 1.0 / 3, Double.pi * 1e-7, 123456.78901234567, -2.5e-300, 1.0.nextUp, 0.7, .nan]

    static func store(_ t: TempDir) throws -> MetricsDatabase {
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "r", preset: "p", configJSON: "{}", source: .siamon)
        try db.write { c in
            var ins = try ScalarInsert(c)
            for (i, v) in values.enumerated() {
                try ins.add(runId: id, key: "loss", step: i * 10, value: v, wallTime: 1.7e9 + Double(i) * 1.123456789)
                try ins.add(runId: id, key: "lr", step: i * 10, value: v * 2, wallTime: 1.7e9 + Double(i) * 1.123456789)
            }
            try ins.finish(c)
        }
        return db
    }

    @Test func readoutEqualsTheStoredValueToTheLastDigit() throws {
        let t = TempDir("readout")
        let db = try Self.store(t)
        let stored = try db.points(runId: 1, key: "loss")
        var cache = RunCache()
        var s = AppState(width: 120, height: 40)
        _ = update(&s, .runs([RunRow(id: "r", name: "r", status: .done, step: 70)]))
        for (cursor, expectedStep) in [(34, 30), (36, 40), (35, 30), (0, 0), (999, 70)] {
            s.chart.cursor = cursor
            let answer = try cache.readout(db, runs: ["r"], step: cursor)
            for e in answer { _ = update(&s, e) }
            let shown = try #require(s.data["r"]?.readout?.values["loss"])
            let p = try #require(stored.first { $0.step == expectedStep })
            #expect(shown.step == expectedStep, "cursor \(cursor)")
            #expect(shown.value.bitPattern == p.value.bitPattern || (shown.value.isNaN && p.value.isNaN))
            #expect(shown.wallTime == p.wallTime)
            let screen = renderApp(s).lines.joined(separator: "\n")
            #expect(screen.contains("loss \(shown.text)"), "cursor \(cursor): \(shown.text)")
            if !p.value.isNaN { #expect(Double(shown.text)?.bitPattern == p.value.bitPattern, "the text reads back as the stored value") }
        }
    }

    @Test func timeAxesComeFromThePyramidsWallTimes() throws {
        let t = TempDir("readout-time")
        let db = try Self.store(t)
        var cache = RunCache()
        let stored = try db.points(runId: 1, key: "loss")
        for mode in [XMode.wallTime, .relativeTime] {
            guard case .series(_, _, let series) = try cache.series(db, run: "r", key: "loss", columns: 100, xMode: mode),
                  case .buckets(let b) = series.data else { Issue.record("no buckets"); return }
            let origin = mode == .relativeTime ? stored[0].wallTime! : 0
            #expect(b.count == stored.count)
            for (bucket, p) in zip(b, stored) {
                #expect(bucket.stepMin == p.step && bucket.xMin == p.wallTime! - origin && bucket.xMax == p.wallTime! - origin)
            }
        }
    }

    @Test func eventsAreReadIncrementallyThroughTheirCursor() throws {
        let t = TempDir("events")
        let db = try Self.store(t)
        var cache = RunCache()
        try db.addEvent(runId: 1, step: 5, .pause(.init()))
        #expect(try cache.newEvents(db, run: "r", id: 1).count == 1)
        #expect(try cache.newEvents(db, run: "r", id: 1).isEmpty, "nothing new, nothing sent")
        try db.addEvent(runId: 1, step: 3, .lrScale(.init(factor: 0.8, scale: 0.8)))
        let out = try cache.newEvents(db, run: "r", id: 1)
        guard case .events(_, let marks)? = out.first else { Issue.record("no events"); return }
        #expect(marks.map(\.step) == [3, 5] && marks[0].detail == "×0.8")
    }
}
