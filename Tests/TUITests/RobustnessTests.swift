import RunCore
import Testing
@testable import TUI
import DemoSupport
import TestSupport

/// Bad input never crashes: hostile series, snapshots and sizes all render (a trap would fail the run).
@Suite struct RobustnessTests {
    static let hostile: [Double] = [.nan, .infinity, -.infinity, 1e308, -1e308, 0, -1, 1e-320, 5]

    @Test func hostileSeriesRender() {
        var s = demoState(width: 120, height: 40)
        var pts: [SeriesPoint] = []
        for (i, x) in Self.hostile.enumerated() { for y in Self.hostile { pts.append(SeriesPoint(x: i % 2 == 0 ? x : Double(i), y: y)) } }
        let buckets = Self.hostile.map { v in SeriesBucket(xMin: v, xMax: -v, first: v, last: 1, min: v, max: 1e308, mean: v) }
        for key in LossKeys.all { _ = update(&s, .series(runId: "r1", key: key, Series(key: key, data: .points(pts)))) }
        _ = update(&s, .series(runId: "r1", key: "lr", Series(key: "lr", data: .buckets(buckets))))
        _ = update(&s, .planned(runId: "r1", lr: PlannedSchedule(points: pts), ema: PlannedSchedule([(.nan, .nan)])))
        _ = update(&s, .events(runId: "r1", [EventMark(step: Int.max, kind: .lrScale), EventMark(step: -5, kind: .lrScale)]))
        _ = update(&s, .status(runId: "r1", StatusInfo(step: -1, totalSteps: 0, epoch: .nan, loss: .infinity, etaSeconds: 1e300)))
        var rows = s.runs
        rows[0].sparkline = Self.hostile
        rows[0].lastLoss = .nan
        _ = update(&s, .runs(rows))
        for keys in [[], ["s"], ["l"], ["s", "l"], ["a"], ["a", "a"]] {
            var t = s
            for k in keys { _ = update(&t, .key(.char(Character(k)))) }
            #expect(renderApp(t).width == 120)
        }
        #expect(SeriesReducer.buckets(pts, columns: 10).count <= 10)
        #expect(Sparkline.glyphs([-1e308, 1e308, 0], width: 3).count == 3)
    }

    @Test func malformedSnapshotsShowAMessage() {
        var s = demoState(width: 120, height: 40)
        var bad = DemoData.snapshot(step: 5, seed: 1)
        bad.mask = [true]                                     // shorter than grid²
        bad.view1 = PixelImage(width: 16, height: 16, channels: 4, pixels: [])
        _ = update(&s, .snapshot(runId: "r1", bad))
        #expect(renderApp(s).lines.joined().contains("snapshot is malformed"))
        var crops = DemoData.snapshot(step: 6, seed: 1)
        crops.crop1 = CropBox(top: -500, left: 10_000, height: -3, width: Int.max / 4, flipped: true)
        _ = update(&s, .snapshot(runId: "r1", crops))
        #expect(renderApp(s).lines.joined().contains("masks · step 6"))
    }

    @Test func everySizeRenders() {
        for (w, h) in [(0, 0), (1, 1), (5, 3), (79, 24), (80, 23), (80, 24), (119, 40), (120, 39), (300, 100)] {
            for screen in [Screen.dashboard, .compare] {
                var s = demoState(width: w, height: h)
                s.screen = screen
                s.compareIds = ["r1", "r2", "r3", "r4", "r5"]
                let b = renderApp(s)
                #expect(b.width == w && b.height == h)
                _ = update(&s, .key(.char("?")))
                _ = renderApp(s)
            }
        }
    }

    @Test func longNamesAndManyRunsStayInsideTheList() {
        var s = demoState(width: 80, height: 24)
        let rows = (0..<60).map { RunRow(id: "id\($0)", name: String(repeating: "名前-very-long-name-", count: 5) + "\($0)", status: .running) }
        _ = update(&s, .runs(rows))
        _ = update(&s, .key(.end))
        #expect(s.selectedRunId == "id59")
        let b = renderApp(s)
        let l = DashboardLayout.make(width: 80, height: 24, focus: s.focus)!
        // The selected (last) run is scrolled into view inside the list's border.
        #expect(b.lines[l.runs.maxY - 2].contains("59") || b.lines[l.runs.maxY - 2].contains("…"))
        #expect(b.lines[l.runs.maxY - 2].unicodeScalars.first == "│")
    }
}
