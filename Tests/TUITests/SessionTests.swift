import Testing
@testable import TUI
import DemoSupport
import TestSupport

/// Scripted reducer sessions (lazygit style): press keys, feed data, expect effects and screen text.
struct Session {
    var state: AppState
    var effects: [Effect] = []
    init(_ s: AppState) { state = s }

    mutating func press(_ keys: Key...) { for k in keys { effects = update(&state, .key(k)) } }
    mutating func type(_ text: String) { for c in text { effects = update(&state, .key(.char(c))) } }
    mutating func feed(_ e: AppEvent) { effects = update(&state, e) }
    var screen: String { renderApp(state).lines.joined(separator: "\n") }
    var statusLine: String { renderApp(state).lines[state.height - 2] }

    mutating func setStatus(_ id: String, _ status: RowStatus) {
        let rows = state.runs.map { r in var r = r; if r.id == id { r.status = status }; return r }
        feed(.runs(rows))
    }
}

@Suite struct SessionTests {
    static func demo() -> Session { Session(demoState(width: 120, height: 40)) }

    @Test func pauseThenResume() {
        var s = Self.demo()
        #expect(s.state.selectedRunId == "r1")
        s.press(.char("p"))
        #expect(s.effects == [.pause("r1")])
        s.setStatus("r1", .paused)
        #expect(s.statusLine.contains("fmnist-tiny-1 paused"))
        s.press(.char("p"))
        #expect(s.effects.isEmpty)
        #expect(s.state.message?.contains("not running") == true)
        s.press(.char("r"))
        #expect(s.effects == [.resume("r1")])
    }

    @Test func stopAsksFirst() {
        var s = Self.demo()
        s.press(.char("x"))
        #expect(s.effects.isEmpty)
        #expect(s.screen.contains("Stop fmnist-tiny-1?"))
        s.press(.char("n"))
        #expect(s.effects.isEmpty && s.state.overlay == nil)
        s.press(.char("x"), .char("y"))
        #expect(s.effects == [.stop("r1")])
    }

    @Test func quitAsksWhenRunsAreLiveAndStopsThem() {
        var s = Self.demo()
        s.press(.char("q"))
        #expect(s.effects.isEmpty)
        #expect(s.screen.contains("3 runs are training in this siamon"))
        s.press(.char("y"))
        #expect(s.effects == [.quit(stopRunning: true)])

        // Runs owned by other processes (a background run, a PyTorch job) go on: quitting asks nothing.
        var elsewhere = Self.demo()
        for i in elsewhere.state.runs.indices where elsewhere.state.runs[i].owner != nil { elsewhere.state.runs[i].owner = "pid 4242" }
        elsewhere.press(.char("q"))
        #expect(elsewhere.effects == [.quit(stopRunning: false)])

        var idle = Session(AppState(width: 80, height: 24))
        idle.press(.char("q"))
        #expect(idle.effects == [.quit(stopRunning: false)])
    }

    @Test func lrScaleUpAndDown() {
        var s = Self.demo()
        s.press(.char("+"))
        #expect(s.effects == [.scaleLR("r1", factor: 1.25)])
        s.press(.char("-"))
        #expect(s.effects == [.scaleLR("r1", factor: 0.8)])
        s.press(.char("k"))
        #expect(s.effects == [.checkpoint("r1")])
    }

    @Test func runsFromOtherProcessesAreSteeredAndImportedLogsAreNot() {
        var s = Self.demo()
        s.press(.down, .down, .down)
        #expect(s.state.selectedRunId == "r4")
        #expect(s.effects.first == .selectRuns(["r4"]))
        s.press(.char("p"))
        #expect(s.effects == [.pause("r4")], "a PyTorch run is paused through the command channel")
        s.press(.down)
        #expect(s.state.selectedRunId == "r5")
        s.press(.char("k"))
        #expect(s.effects.isEmpty)
        #expect(s.state.message?.contains("imported log") == true, "\(s.state.message ?? "")")
    }

    @Test func emptyDashboardStartsTheDefaultPresetOnEnter() {
        var s = Session(AppState(width: 120, height: 40))
        s.press(.enter)
        #expect(s.effects == [.startRun(preset: "fmnist-tiny", name: "fmnist-tiny-1", overrides: [:])])
    }

    @Test func newRunDialogSendsOnlyChangedFields() {
        var s = Self.demo()
        s.press(.char("n"))
        guard case .form = s.state.overlay else { Issue.record("no form"); return }
        s.press(.tab, .tab)                                  // preset → name → lr
        for _ in 0..<6 { s.press(.backspace) }
        s.type("0.003")
        s.press(.enter)
        #expect(s.effects == [.startRun(preset: "fmnist-tiny", name: "fmnist-tiny-2", overrides: ["optimizer.lr": "0.003"])])
        #expect(s.state.overlay == nil)
    }

    @Test func newRunDialogRejectsBadInput() {
        var s = Self.demo()
        s.press(.char("n"), .tab, .tab)
        s.type("abc")
        s.press(.enter)
        #expect(s.effects.isEmpty)
        #expect(s.screen.contains("is not a number"))
        s.press(.escape)
        #expect(s.state.overlay == nil)
    }

    @Test func presetIsPickedWithArrows() {
        var s = Self.demo()
        s.press(.char("n"), .right)
        s.press(.enter)
        #expect(s.effects == [.startRun(preset: "smoke", name: "smoke-1", overrides: [:])])
    }

    @Test func forkRecordsTheParent() {
        var s = Self.demo()
        s.press(.char("f"))
        #expect(s.screen.contains("fork run"))
        s.press(.enter)
        #expect(s.effects == [.fork("r1", name: "fmnist-tiny-1-fork-1", overrides: [:])])
    }

    @Test func filterNarrowsTheRunList() {
        var s = Self.demo()
        s.press(.char("/"))
        s.type("cifar")
        #expect(s.state.visibleRuns.map(\.id) == ["r3"])
        s.press(.enter)
        #expect(s.state.filter == "cifar")
        s.press(.char("/"), .escape)
        #expect(s.state.visibleRuns.count == 5)
        s.press(.char("/"))
        s.type("!fmnist")
        #expect(s.state.visibleRuns.map(\.id) == ["r3", "r4", "r5"])
    }

    @Test func compareChoosesRunsAndProbes() {
        var s = Self.demo()
        s.press(.char("c"))
        #expect(s.state.screen == .compare)
        #expect(s.effects.first == .selectRuns(["r1"]))
        s.press(.down, .down, .char(" "))
        #expect(s.effects.first == .selectRuns(["r1", "r3"]))
        #expect(s.effects.contains(.requestSeries(runId: "r3", key: "loss", columns: ChartGeometry.dotColumns(in: CompareLayout.make(width: 120, height: 40)!.chart), xMode: .step)))
        // r1 and r3 share lr, epochs and depth; only batch size and data source differ.
        #expect(s.screen.contains("train.batch_size") && s.screen.contains("data.source"))
        #expect(!s.screen.contains("optimizer.lr") && !s.screen.contains("model.depth"))
        #expect(s.screen.contains("41.2%"))
        s.press(.char("P"))
        #expect(s.effects == [.probe("r3")])
        s.press(.escape)
        #expect(s.state.screen == .dashboard)
    }

    @Test func chartTogglesAndXAxisRequestsNewSeries() {
        var s = Self.demo()
        s.press(.char("s"))
        #expect(s.state.chart.smoothing)
        s.press(.char("l"))
        #expect(s.state.chart.logY)
        s.press(.char("a"))
        #expect(s.state.chart.xMode == .wallTime)
        #expect(s.effects.contains { if case .requestSeries(_, "loss", _, .wallTime, _) = $0 { true } else { false } })
        #expect(s.effects.contains { if case .requestSeries(_, "lr", _, .step, _) = $0 { true } else { false } })
    }

    @Test func resizeAndTicksRequestSeriesSizedToTheCharts() {
        var s = Self.demo()
        s.feed(.resize(width: 200, height: 50))
        let l = DashboardLayout.make(width: 200, height: 50, focus: .runs)!
        #expect(s.effects.contains(.requestSeries(runId: "r1", key: "loss", columns: ChartGeometry.dotColumns(in: l.loss), xMode: .step)))
        #expect(s.effects.contains(.requestSeries(runId: "r1", key: "momentum", columns: ChartGeometry.dotColumns(in: l.ema), xMode: .step)))
        // loss, lr, momentum and the throughput panel's three series
        s.feed(.tick(now: 100))
        #expect(s.effects.count == 3 + ThroughputPanel.rows.count)
        s.feed(.tick(now: 100.2))
        #expect(s.effects.isEmpty)             // at most one refresh per 0.5 s
        s.feed(.tick(now: 100.6))
        #expect(s.effects.count == 3 + ThroughputPanel.rows.count)
    }

    @Test func snapshotsStepBackAndForth() {
        var s = Self.demo()
        #expect(s.state.currentSnapshot("r1")?.step == 1200)
        s.press(.char("["))
        #expect(s.state.currentSnapshot("r1")?.step == 1000)
        s.press(.char("["))                    // already the oldest
        #expect(s.state.currentSnapshot("r1")?.step == 1000)
        s.feed(.snapshot(runId: "r1", DemoData.snapshot(step: 1400, seed: 9)))
        #expect(s.state.currentSnapshot("r1")?.step == 1000)   // looking back stays put while new ones arrive
        s.press(.char("]"), .char("]"))
        #expect(s.state.currentSnapshot("r1")?.step == 1400)
    }

    @Test func clickSelectsARunAndWheelMoves() {
        var s = Self.demo()
        let l = DashboardLayout.make(width: 120, height: 40, focus: .runs)!
        s.press(.click(x: l.runs.x + 3, y: l.runs.y + 3))
        #expect(s.state.selectedRunId == "r3")
        s.press(.wheelDown(x: l.runs.x + 3, y: l.runs.y + 3))
        #expect(s.state.selectedRunId == "r4")
        s.press(.click(x: l.ema.x + 3, y: l.ema.y + 3))
        #expect(s.state.focus == .ema)
    }

    @Test func tabCyclesPanesAndTheCompactLayoutSwapsInTheMaskPanel() {
        var s = Session(demoState(width: 80, height: 24))
        #expect(!s.screen.contains("masks"))
        for _ in 0..<4 { s.press(.tab) }
        #expect(s.state.focus == .mask)
        #expect(s.screen.contains("masks · step 1.2k") || s.screen.contains("masks · step 1200"))
    }
}

@Suite struct BindingTests {
    @Test func helpListsEveryBinding() {
        var s = demoState(width: 200, height: 80)
        _ = update(&s, .key(.char("?")))
        let screen = renderApp(s).lines.joined(separator: "\n")
        for b in Bindings.table {
            #expect(screen.contains(b.description), "help lacks '\(b.description)'")
            #expect(screen.contains(b.keys.map(\.label).joined(separator: " ")), "help lacks the keys of '\(b.description)'")
        }
    }

    @Test func noKeyIsBoundTwiceInOneContext() {
        for ctx in BindingContext.allCases {
            let keys = Bindings.table.filter { $0.context == ctx }.flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "duplicate key in \(ctx)")
        }
    }

    @Test func designKeysAreBound() {
        let s = demoState(width: 120, height: 40)
        let expected: [(String, Command)] = [("q", .quit), ("?", .help), ("/", .filter), ("n", .newRun), ("p", .pause), ("r", .resume),
            ("x", .stop), ("+", .lrUp), ("-", .lrDown), ("k", .checkpoint), ("f", .fork), ("c", .compare), ("s", .smoothing),
            ("l", .logY), ("a", .xAxis)]
        for (k, cmd) in expected { #expect(Bindings.lookup(.char(Character(k)), in: s)?.command == cmd, "key \(k)") }
        #expect(Bindings.lookup(.tab, in: s)?.command == .nextPane)
    }

    @Test func keyBarDimsDisabledCommands() {
        var s = demoState(width: 120, height: 40)
        let bar = renderApp(s)
        let line = bar.lines[39]
        let r = line.range(of: "r resume")!
        let col = line.distance(from: line.startIndex, to: r.lowerBound)
        #expect(bar[col, 39].fg == .role(.inactiveFg))       // r1 is running: resume is disabled
        let p = line.distance(from: line.startIndex, to: line.range(of: "p pause")!.lowerBound)
        #expect(bar[p, 39].fg == .role(.keyFg))
        _ = update(&s, .key(.down))
        #expect(renderApp(s)[col, 39].fg == .role(.keyFg))   // r2 is paused: resume is enabled
    }
}
