import Foundation
import Testing
@testable import TUI
import DemoSupport
import TestSupport

/// Frame time (state → buffer → diff against the previous frame) at 200×50 with 8 runs whose 1M-point loss series
/// are already reduced to the chart width. Run once, in release:
///   TUI_BENCH=1 swift test -c release --filter FrameBenchmark
@Suite(.serialized) struct FrameBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["TUI_BENCH"] == "1"

    static func measure(_ name: String, frames: Int, _ state: AppState, mutate: (inout AppState, Int) -> Void) -> Double {
        var s = state
        var buf = ScreenBuffer(width: s.width, height: s.height)
        var previous = renderApp(s)
        var changed = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for f in 0..<frames {
            mutate(&s, f)
            renderApp(s, into: &buf)
            changed += buf.changedCells(since: previous).count
            swap(&buf, &previous)
        }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(frames)
        print("FrameBenchmark \(name): \(String(format: "%.3f", ms)) ms/frame over \(frames) frames, \(changed / frames) cells changed per frame")
        return ms
    }

    @Test(.enabled(if: enabled)) func dashboardAndCompareAt200x50() {
        let t0 = Date()
        let base = benchState(width: 200, height: 50, runs: 8, points: 1_000_000)
        print("FrameBenchmark setup (8 × 1M points reduced): \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
        // Dashboard: each frame selects the next run (all charts and the mask panel redraw).
        let ids = base.runs.map(\.id)
        let dash = Self.measure("dashboard 200x50", frames: 200, base) { s, f in s.selectedRunId = ids[f % ids.count] }
        // Compare: all 8 runs overlaid; each frame toggles smoothing so every line is recomputed.
        var cmp = base
        cmp.screen = .compare
        cmp.compareIds = ids
        let compare = Self.measure("compare 8 runs 200x50", frames: 200, cmp) { s, f in s.chart.smoothing = f % 2 == 0 }
        #if !DEBUG
        #expect(dash <= 10, "dashboard frame \(dash) ms > 10 ms")
        #expect(compare <= 10, "compare frame \(compare) ms > 10 ms")
        #endif
        #expect(dash > 0 && compare > 0)
    }

    /// Always runs: the benchmark state really holds 8 runs with series reduced to the loss chart's dot columns.
    @Test func benchStateIsReducedToTheChartWidth() {
        let s = benchState(width: 200, height: 50, runs: 8, points: 20_000)
        let cols = ChartGeometry.dotColumns(in: DashboardLayout.make(width: 200, height: 50, focus: .runs)!.loss)
        #expect(s.runs.count == 8)
        for r in s.runs {
            guard case .buckets(let b)? = s.data[r.id]?.series["loss"]?.data else { Issue.record("\(r.id) has no buckets"); continue }
            #expect(b.count <= cols && b.count >= cols - 1)
        }
    }
}
