import RunCore
import Testing
@testable import TUI
import DemoSupport
import TestSupport

/// Widgets render into a buffer pre-filled with "x" (ratatui's trick): cells a widget must not touch stay "x".
@Suite struct WidgetTests {
    static func xs(_ w: Int, _ h: Int) -> ScreenBuffer { ScreenBuffer(width: w, height: h, fill: Cell("x")) }

    @Test func sparklineUsesEightLevelsAndLeavesTheRestAlone() {
        var b = Self.xs(10, 1)
        Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], in: Rect(x: 0, y: 0, width: 8, height: 1), into: &b)
        #expect(b.lines == ["▁▂▃▄▅▆▇█xx"])
    }

    @Test func sparklineKeepsTheNewestValuesAndBlanksNaN() {
        var b = Self.xs(5, 1)
        Sparkline.render([100, 0, .nan, 7], in: Rect(x: 1, y: 0, width: 3, height: 1), into: &b)
        #expect(b.lines == ["x▁ █x"])
    }

    @Test func blockDrawsBorderAndTitle() {
        var b = Self.xs(8, 4)
        let inner = Block.render(in: Rect(x: 1, y: 0, width: 6, height: 3), into: &b, title: "ab")
        #expect(b.lines == ["x┌ ab ┐x", "x│    │x", "x└────┘x", "xxxxxxxx"])
        #expect(inner == Rect(x: 2, y: 1, width: 4, height: 1))
    }

    @Test func brailleDotBitsFollowTheUnicodeLayout() {
        // Unicode braille: dots 1,2,3,7 in the left column, 4,5,6,8 in the right (bits 0..7).
        let expected: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        for dy in 0..<4 { for dx in 0..<2 { #expect(BrailleCanvas.bit(dx, dy) == expected[dy][dx]) } }
        var c = BrailleCanvas(cols: 1, rows: 1)
        for dy in 0..<4 { for dx in 0..<2 { c.dot(dx, dy) } }
        c.commit(Style(.loss))
        var b = Self.xs(2, 1)
        c.draw(into: &b, x: 0, y: 0)
        #expect(b.lines == ["⣿x"])
    }

    @Test func bresenhamLineCoversEveryColumn() {
        var c = BrailleCanvas(cols: 2, rows: 1)
        c.line(0, 0, 3, 3)            // diagonal: dots (0,0) (1,1) (2,2) (3,3)
        c.commit(Style(.loss))
        var b = Self.xs(2, 1)
        c.draw(into: &b, x: 0, y: 0)
        // cell 0: (0,0)=0x01 + (1,1)=0x10 → U+2811 ⠑; cell 1: (0,2)=0x04 + (1,3)=0x80 → U+2884 ⢄
        #expect(b.lines == ["⠑⢄"])
    }

    @Test func laterSeriesOccludeEarlierOnesInTheSameCell() {
        var c = BrailleCanvas(cols: 2, rows: 1)
        c.dot(0, 0); c.dot(2, 0); c.commit(Style(.lossPos))
        c.dot(1, 3); c.commit(Style(.loss))
        var b = Self.xs(2, 1)
        c.draw(into: &b, x: 0, y: 0)
        #expect(b.lines == ["⢀⠁"])       // cell 0 is replaced (not OR-ed) by the later series
        #expect(b[0, 0].fg == .role(.loss) && b[1, 0].fg == .role(.lossPos))
    }

    @Test func chartStaysInsideItsArea() {
        var b = Self.xs(40, 12)
        var chart = LineChart(title: "t", lines: [ChartLine(label: "a", role: .loss, data: .points((0..<50).map { SeriesPoint(x: Double($0), y: Double($0 % 7)) }))])
        chart.robust = false
        chart.render(in: Rect(x: 2, y: 1, width: 30, height: 10), into: &b)
        for (y, line) in b.lines.enumerated() {
            let chars = Array(line)
            for x in 0..<40 where !(x >= 2 && x < 32 && y >= 1 && y < 11) { #expect(chars[x] == "x", "cell \(x),\(y) was touched") }
        }
        #expect(b.lines.joined().unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF })
    }

    /// A single spike among a million-point-like series survives min/max buckets: it is clamped to the top with ▲.
    @Test func spikesSurviveReductionAndRobustRange() {
        var pts = (0..<10_000).map { SeriesPoint(x: Double($0), y: 1 + Double($0) * 1e-5) }
        pts[6_000].y = 50
        let plot = ChartGeometry.plot(in: Rect(x: 0, y: 0, width: 60, height: 12))
        let buckets = SeriesReducer.buckets(pts, columns: plot.width * 2)
        #expect(buckets.count == plot.width * 2)
        #expect(buckets.contains { $0.max == 50 })
        var b = ScreenBuffer(width: 60, height: 12)
        LineChart(title: "loss", lines: [ChartLine(label: "l", role: .loss, data: .buckets(buckets))]).render(in: b.area, into: &b)
        let top = Array(b.lines[plot.y])
        let col = plot.x + Int((6000.0 / 9999.0 * Double(plot.width * 2 - 1)).rounded()) / 2
        let hits = top.indices.filter { top[$0] == "▲" }
        #expect(hits.count == 1)
        #expect(hits.allSatisfy { abs($0 - col) <= 1 }, "▲ at \(hits), spike column \(col)")
    }

    @Test func logYHidesNonPositiveValuesWithACounter() {
        var chart = LineChart(title: "t", lines: [ChartLine(label: "a", role: .loss, data: .points([(0, 1), (1, 0), (2, -3), (3, 10), (4, 100)].map { SeriesPoint(x: $0.0, y: $0.1) }))])
        chart.logY = true
        var b = ScreenBuffer(width: 40, height: 10)
        chart.render(in: b.area, into: &b)
        #expect(b.lines[9].contains("2 ≤0 hidden"))
    }

    @Test func halfBlocksPutTheTopPixelInFgAndTheBottomInBg() {
        let img = PixelImage(width: 2, height: 2, channels: 1, pixels: [10, 20, 30, 40])
        var b = Self.xs(3, 2)
        MaskPanel.plain(img, in: Rect(x: 0, y: 0, width: 2, height: 1), &b, false)
        #expect(b.lines == ["▀▀x", "xxx"])
        #expect(b[0, 0].fg == .rgb(RGB(gray: 10)) && b[0, 0].bg == .rgb(RGB(gray: 30)))
        #expect(b[1, 0].fg == .rgb(RGB(gray: 20)) && b[1, 0].bg == .rgb(RGB(gray: 40)))
    }

    @Test func rgbViewShadesOnlyMaskedPatches() {
        var snap = DemoData.snapshot(step: 1, seed: 1)
        snap.mask = [true] + [Bool](repeating: false, count: 15)   // top-left patch only
        var b = ScreenBuffer(width: 16, height: 8)
        MaskPanel.view1(snap, in: b.area, &b, false)
        let img = snap.view1
        // Top-left cell shows source pixel (0,0) darkened; a cell in an unmasked patch shows its pixel unchanged.
        #expect(b[0, 0].fg == .rgb(img.rgb(0, 0).mixed(with: RGB(40, 0, 10), 0.7)))
        #expect(b[8, 4].fg == .rgb(img.rgb(8, 8)))
    }

    @Test func runListShowsGlyphNameStepLossAndSparkline() {
        var b = ScreenBuffer(width: 40, height: 3)
        let run = RunRow(id: "a", name: "demo", status: .paused, step: 1500, totalSteps: 3000, lastLoss: 0.25, sparkline: [1, 2, 3])
        RunListWidget.render([run], in: b.area, into: &b, selected: "a", focused: true, title: "runs")
        #expect(b.lines[1].hasPrefix("│‖ demo"))
        #expect(b.lines[1].contains("1500"))
        // (2−1)/(3−1)·7 = 3.5 rounds to level 4 of 0…7, the fifth glyph ▅
        #expect(b.lines[1].contains("0.250 ▁▅█"))
        #expect(b[3, 1].bg == .role(.selectedBg))
    }

    @Test func runNamesKeepWhatTellsThemApart() {
        let sweep = "ablations-a-20261127-001300"
        #expect(RunNameFit.fit(sweep, width: 40) == sweep)
        #expect(RunNameFit.fit(sweep, width: 20) == "ablations-a-001300")
        #expect(RunNameFit.fit(sweep, width: 12) == "ablations-a")
        #expect(RunNameFit.fit(sweep, width: 8) == "ablat…-a")
        #expect(RunNameFit.fit("ablations-b-20261127-001300", width: 8) != RunNameFit.fit(sweep, width: 8))
        // no stamp: cut in the middle; every result fits
        #expect(RunNameFit.fit("my-long-experiment-name", width: 10) == "my-lon…ame")
        for w in 0...30 { #expect(RunNameFit.fit(sweep, width: w).count <= w, "width \(w)") }
        // a stamp-looking tail needs both numeric parts
        #expect(RunNameFit.fit("run-2026112x-001300", width: 12) == "run-202…1300")
    }
}
