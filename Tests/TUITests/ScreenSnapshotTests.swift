import Testing
import DemoSupport
import TestSupport
@testable import TUI

/// Full-screen snapshots of AppState fixtures: text plus fg/bg style maps (one letter per theme role).
@Suite struct ScreenSnapshotTests {
    static func text(_ b: ScreenBuffer) -> String { b.lines.joined(separator: "\n") + "\n" }
    static func styles(_ b: ScreenBuffer) -> String {
        "fg:\n" + b.styleMap.joined(separator: "\n") + "\nbg:\n" + b.bgMap.joined(separator: "\n") + "\n"
    }
    static func check(_ s: AppState, _ name: String, styles withStyles: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let b = renderApp(s)
        #expect(b.width == s.width && b.height == s.height)
        assertSnapshot(text(b), named: name, sourceLocation: sourceLocation)
        if withStyles { assertSnapshot(styles(b), named: name + ".style", sourceLocation: sourceLocation) }
    }

    @Test func dashboard120x40() { Self.check(demoState(width: 120, height: 40), "dashboard-120x40") }
    @Test func dashboard80x24() { Self.check(demoState(width: 80, height: 24), "dashboard-80x24") }

    @Test func dashboard80x24MaskFocus() {
        var s = demoState(width: 80, height: 24)
        s.focus = .mask
        Self.check(s, "dashboard-80x24-mask", styles: false)
    }

    @Test func dashboardSmoothedLog() {
        var s = demoState(width: 120, height: 40)
        _ = update(&s, .key(.char("s")))
        _ = update(&s, .key(.char("l")))
        Self.check(s, "dashboard-120x40-smooth-log", styles: false)
    }

    /// Zoomed in on the newest quarter, following the tail, with the cursor and its exact readouts.
    @Test func dashboardZoomedWithCursor() {
        var s = demoState(width: 120, height: 40)
        _ = update(&s, .key(.char("z"))); _ = update(&s, .key(.char("z")))
        _ = update(&s, .key(.char("i")))
        for _ in 0..<5 { _ = update(&s, .key(.char(","))) }
        let step = s.chart.cursor!
        _ = update(&s, .readout(runId: "r1", Readout(step: step, values: [
            "loss": LoggedValue(step: step, value: 0.4321987654321, wallTime: 1_764_979_323.25),
            "lr": LoggedValue(step: step, value: 0.0015, wallTime: 1_764_979_323.25),
            "momentum": LoggedValue(step: step, value: 0.9972, wallTime: 1_764_979_323.25)])))
        Self.check(s, "dashboard-120x40-zoom-cursor", styles: false)
    }

    /// NO_COLOR / TERM=dumb: series are told apart by glyph, images by a character ramp.
    @Test func monochromeDistinguishesSeriesByGlyph() {
        var s = demoState(width: 120, height: 40)
        s.monochrome = true
        s.chart.lossTerms = true
        Self.check(s, "dashboard-120x40-mono", styles: false)
        let screen = renderApp(s).lines.joined()
        #expect(screen.contains("•pos") && screen.contains("×neg"))
        #expect(screen.contains("••") && screen.contains("××"))
        #expect(!screen.contains("▀"))
    }

    @Test func emptyOffersTheDefaultPreset() {
        var s = AppState(width: 120, height: 40)
        _ = update(&s, .presets(DemoData.presets))
        Self.check(s, "empty-120x40", styles: false)
        #expect(renderApp(s).lines.contains { $0.contains("no runs yet — press Enter to start fmnist-tiny") })
    }

    @Test func tooSmall() {
        let b = renderApp(demoState(width: 79, height: 24))
        assertSnapshot(Self.text(b), named: "too-small-79x24")
        #expect(b.lines.contains { $0.contains("at least 80×24") })
    }

    @Test func compare120x40() {
        var s = demoState(width: 120, height: 40)
        _ = update(&s, .key(.char("c")))
        _ = update(&s, .key(.down))
        _ = update(&s, .key(.char(" ")))
        Self.check(s, "compare-120x40")
    }

    @Test func newRunDialog() {
        var s = demoState(width: 80, height: 24)
        _ = update(&s, .key(.char("n")))
        Self.check(s, "new-run-80x24", styles: false)
    }

    @Test func quitConfirmation() {
        var s = demoState(width: 80, height: 24)
        _ = update(&s, .key(.char("q")))
        Self.check(s, "quit-confirm-80x24", styles: false)
    }

    @Test func helpScreen() {
        var s = demoState(width: 120, height: 40)
        _ = update(&s, .key(.char("?")))
        Self.check(s, "help-120x40", styles: false)
    }
}
