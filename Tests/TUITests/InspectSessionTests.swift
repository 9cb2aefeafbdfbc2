import Foundation
import Testing
@testable import TUI
import DemoSupport
import TestSupport

/// Zoom, pan, follow the tail, the cursor and its readout, log x, the shared y range and the loss terms, as
/// key (and mouse) sessions against the demo state: fmnist-tiny-1 (r1) is running at step 1200.
@Suite struct InspectSessionTests {
    static func demo() -> Session { Session(demoState(width: 120, height: 40)) }

    /// The step range of the last series request for `key` of r1 (nil inside = the whole run; nil = none).
    static func requested(_ s: Session, _ key: String, run: String = "r1") -> ClosedRange<Int>?? {
        for e in s.effects { if case .requestSeries(run, key, _, _, let steps) = e { return .some(steps) } }
        return nil
    }

    static func setStep(_ s: inout Session, _ step: Int) {
        s.feed(.runs(s.state.runs.map { r in var r = r; if r.id == "r1" { r.step = step }; return r }))
    }

    @Test func zoomFollowsTheTailWhileDataArrivesAndPanningStaysPut() {
        var s = Self.demo()
        s.press(.char("z"))
        #expect(s.state.chart.window == XWindow(span: 600, end: nil))
        #expect(Self.requested(s, "loss") == .some(601...1200))
        #expect(Self.requested(s, "lr") == .some(601...1200) && Self.requested(s, "momentum") == .some(601...1200))
        Self.setStep(&s, 1300)
        s.feed(.tick(now: 100))
        #expect(Self.requested(s, "loss") == .some(701...1300), "the zoomed window follows new steps")
        s.press(.char("<"))
        #expect(s.state.chart.window == XWindow(span: 600, end: 1150))
        #expect(Self.requested(s, "loss") == .some(551...1150))
        Self.setStep(&s, 1400)
        s.feed(.tick(now: 101))
        #expect(Self.requested(s, "loss") == .some(551...1150), "a panned window stays where it was put")
        #expect(s.state.message?.contains("F follows the tail") == true)
        s.press(.char("F"))
        #expect(Self.requested(s, "loss") == .some(801...1400))
        s.press(.char(">"))
        #expect(s.state.chart.window.follows, "panning right into the tail follows it")
        s.press(.char("0"))
        #expect(s.state.chart.window == XWindow())
        #expect(Self.requested(s, "loss") == .some(nil))
    }

    @Test func zoomingOutPastTheRunShowsTheWholeRun() {
        var s = Self.demo()
        s.press(.char("z"), .char("z"))
        #expect(s.state.chart.window.span == 300)
        s.press(.char("Z"))
        #expect(s.state.chart.window.span == 600)
        s.press(.char("Z"))
        #expect(s.state.chart.window == XWindow())
        s.press(.char("<"))
        #expect(s.state.message?.contains("not zoomed in") == true)
    }

    @Test func zoomedChartsShowOnlyTheWindow() {
        var s = Self.demo()
        s.press(.char("z"), .char("z"), .char("z"))      // steps 1051...1200
        let screen = s.screen
        #expect(screen.contains("1100") && screen.contains("1200"))
        #expect(!screen.contains("└0 "), "the x axis no longer starts at 0")
    }

    @Test func cursorShowsTheExactLoggedValuesAndMovesByColumns() {
        var s = Self.demo()
        s.press(.char("i"))
        #expect(s.state.chart.cursor == 1200)
        #expect(s.effects == [.requestReadout(runIds: ["r1"], step: 1200)])
        #expect(s.screen.contains("step 1200 · reading…"))
        let wall = 1_764_979_323.456789
        let values = ["loss": LoggedValue(step: 1198, value: 0.41234567891234566, wallTime: wall),
                      "lr": LoggedValue(step: 1198, value: 0.0014999999999999999, wallTime: wall),
                      "momentum": LoggedValue(step: 1198, value: 0.99720000000000003, wallTime: wall)]
        s.feed(.readout(runId: "r1", Readout(step: 1100, values: ["loss": LoggedValue(step: 1100, value: 9, wallTime: nil)])))
        #expect(s.state.data["r1"]?.readout == nil, "an answer for an older cursor is dropped")
        s.feed(.readout(runId: "r1", Readout(step: 1200, values: values)))
        let screen = s.screen
        #expect(screen.contains("step 1198 · \(ChartInspection.clock(wall)) · loss \(values["loss"]!.value)"))
        #expect(screen.contains("lr \(values["lr"]!.value)".prefix(20)) && screen.contains("m \(values["momentum"]!.value)"))
        let plot = ChartGeometry.plot(in: DashboardLayout.make(width: 120, height: 40, focus: .runs)!.loss)
        s.press(.char(","))
        let perColumn = (1201 + plot.width - 1) / plot.width
        #expect(s.state.chart.cursor == 1200 - perColumn)
        #expect(s.effects == [.requestReadout(runIds: ["r1"], step: 1200 - perColumn)])
        s.press(.char("i"))
        #expect(s.state.chart.cursor == nil)
        s.press(.char(","))
        #expect(s.state.message?.contains("no cursor") == true)
    }

    @Test func clickOnAChartPlacesTheCursorAndTheWheelZoomsAroundThePointer() {
        var s = Self.demo()
        let l = DashboardLayout.make(width: 120, height: 40, focus: .runs)!
        let plot = ChartGeometry.plot(in: l.loss)
        let x = plot.x + plot.width / 3, y = plot.y + 2
        let chart = Dashboard.lossChart(s.state, s.state.data["r1"]!, key: "loss")
        let expected = Int(chart.xValue(atScreenX: x, in: l.loss)!.rounded())
        s.press(.click(x: x, y: y))
        #expect(s.state.chart.cursor == expected)
        #expect(s.effects.contains(.requestReadout(runIds: ["r1"], step: expected)))
        #expect(s.state.focus == .loss)
        // The cursor is drawn in the plot at that column (where no data dot hides it).
        let column = renderApp(s.state).lines.map { Array($0)[x] }
        #expect(column.contains("│"))
        s.press(.wheelUp(x: x, y: y))
        let w = s.state.chart.window
        #expect(w.span == 600 && w.visible(last: 1200).contains(expected))
        s.press(.wheelDown(x: x, y: y))
        #expect(s.state.chart.window.span == 1200 || s.state.chart.window == XWindow())
    }

    @Test func logXHasDecadeTicksAndNeedsTheStepAxis() {
        var s = Self.demo()
        s.press(.char("L"))
        #expect(s.state.chart.logX)
        let screen = s.screen
        #expect(screen.contains("10 ") && screen.contains("100") && screen.contains("1000"))
        s.press(.char("L"), .char("a"), .char("L"))
        #expect(!s.state.chart.logX)
        #expect(s.state.message?.contains("log x needs the step axis") == true)
    }

    @Test func lossTermsGetTheirOwnChartsAndRequests() {
        var s = Self.demo()
        s.feed(.tick(now: 50))
        #expect(Self.requested(s, "loss") != nil && Self.requested(s, "loss_pos") == nil)
        s.press(.char("t"))
        #expect(Self.requested(s, "loss_pos") != nil && Self.requested(s, "loss_neg") != nil && Self.requested(s, "loss") == nil)
        #expect(s.screen.contains("loss pos") && s.screen.contains("loss neg"))
    }

    @Test func compareSharesTheCursorAndCanShareY() {
        var s = Self.demo()
        s.press(.char("c"), .down, .char(" "))
        #expect(s.state.compareIds == ["r1", "r2"])
        s.press(.char("i"))
        #expect(s.effects == [.requestReadout(runIds: ["r1", "r2"], step: 1200)])
        s.feed(.readout(runId: "r1", Readout(step: 1200, values: ["loss": LoggedValue(step: 1200, value: 0.123456789, wallTime: nil)])))
        s.feed(.readout(runId: "r2", Readout(step: 1200, values: ["loss": LoggedValue(step: 640, value: 0.6789, wallTime: nil)])))
        let screen = s.screen
        #expect(screen.contains("at cursor") && screen.contains("step 1200 · values in the table"))
        #expect(screen.contains("0.123456789 @1200") && screen.contains("0.6789 @640"))
        #expect(CompareScreen.overlayChart(s.state, CompareScreen.chosen(s.state)).yRange == nil)
        s.press(.char("Y"))
        #expect(s.state.chart.sharedY)
        #expect(CompareScreen.overlayChart(s.state, CompareScreen.chosen(s.state)).yRange != nil)
        s.press(.char("z"))
        #expect(Self.requested(s, "loss", run: "r2") == .some(601...1200), "compared runs share the window")
    }

    @Test func compareNotesFitTheirPane() {
        var s = Self.demo()
        s.press(.char("c"))
        #expect(s.screen.contains("choose another run to see what differs"))
    }

    @Test func helpListsTheInspectionKeys() {
        var s = Self.demo()
        s.press(.char("?"))
        let screen = s.screen
        #expect(screen.contains("zoom in on x") && screen.contains("follow the tail"))
    }
}

@Suite struct LogTickTests {
    @Test func logTicksAreOneTwoFiveThenDecades() {
        let ticks = AxisScale.logTicks(-2, 1, maxTicks: 12).map { (pow10($0) * 1e6).rounded() / 1e6 }
        #expect(ticks == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10])
        let decades = AxisScale.logTicks(-2, 1, maxTicks: 5).map { (pow10($0) * 1e6).rounded() / 1e6 }
        #expect(decades == [0.01, 0.1, 1, 10])
        let narrow = AxisScale.logTicks(-0.1, -0.05, maxTicks: 4)
        #expect(narrow.count >= 2 && narrow.allSatisfy { $0 >= -0.1 && $0 <= -0.05 })
    }
    func pow10(_ x: Double) -> Double { Foundation.pow(10, x) }
}
