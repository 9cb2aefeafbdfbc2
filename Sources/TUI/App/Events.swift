// What comes in (AppEvent) and what goes out (Effect). The reducer turns the first into the second.

public enum Key: Hashable, Sendable {
    case char(Character)          // printable, as typed ("P" for shift-p)
    case ctrl(Character)          // Ctrl-letter, lower case ("l" for Ctrl-L)
    case up, down, left, right, home, end, pageUp, pageDown
    case tab, backTab, enter, escape, backspace, delete
    case function(Int)            // F1…F12
    case click(x: Int, y: Int)    // button 1
    case wheelUp(x: Int, y: Int), wheelDown(x: Int, y: Int)

    /// How the key is written in the key bar and help.
    public var label: String {
        switch self {
        case .char(" "): "Space"
        case .char(let c): String(c)
        case .ctrl(let c): "^" + String(c).uppercased()
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Bksp"
        case .delete: "Del"
        case .function(let n): "F\(n)"
        case .click: "click"
        case .wheelUp: "wheel↑"
        case .wheelDown: "wheel↓"
        }
    }
}

public enum AppEvent: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(now: Double)                                    // seconds, any epoch; drives refresh requests
    case runs([RunRow])
    case series(runId: String, key: String, Series)
    case snapshot(runId: String, MaskSnapshot)
    case events(runId: String, [EventMark])
    case planned(runId: String, lr: PlannedSchedule, ema: PlannedSchedule)
    case status(runId: String, StatusInfo)
    case readout(runId: String, Readout)                      // exact values at the cursor
    case usage(runId: String, ProcessUsage)                   // the writer's CPU and memory
    case presets([PresetChoice])
    case message(String)
}

/// Requests to the outside world. The adapter performs them; none may block the UI thread.
public enum Effect: Equatable, Sendable {
    case startRun(preset: String, name: String, overrides: [String: String])
    /// A headless `siamon train` of its own (its own session): it keeps training after this siamon quits.
    case startBackgroundRun(preset: String, name: String, overrides: [String: String])
    case pause(String)
    case resume(String)
    case stop(String)
    /// Multiply the run's LR scale by `factor`: `+` sends 1.25, `-` sends 0.8 (= 1/1.25), so + then - is a no-op.
    case scaleLR(String, factor: Double)
    case checkpoint(String)
    case fork(String, name: String, overrides: [String: String])
    case probe(String)
    /// Deliver `.series(runId:key:)` reduced to at most `columns` buckets (one per braille dot column) in `xMode`,
    /// of the steps in `steps` only (a zoomed chart), or of the whole run when nil.
    case requestSeries(runId: String, key: String, columns: Int, xMode: XMode, steps: ClosedRange<Int>? = nil)
    /// Deliver `.readout` for each run: the stored values of the charts' series nearest to `step`.
    case requestReadout(runIds: [String], step: Int)
    case selectRuns([String])
    case quit(stopRunning: Bool)
    case redraw
}

/// LR scale factors for `+` and `-` (documented on Effect.scaleLR).
public enum LRScale {
    public static let up = 1.25
    public static let down = 0.8
}
