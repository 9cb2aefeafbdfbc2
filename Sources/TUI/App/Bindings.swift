// The ONE key-binding table (lazygit's Binding list): it drives dispatch, the key bar and the `?` help screen.

public enum Command: String, Sendable, CaseIterable {
    case quit, help, filter, nextPane, prevPane, newRun, pause, resume, stop, lrUp, lrDown, checkpoint, fork
    case compare, smoothing, logY, xAxis, snapshotPrev, snapshotNext, up, down, top, bottom, toggleMouse, redraw
    case startDefault, toggleCompare, probe, back
    case zoomIn, zoomOut, panLeft, panRight, followTail, zoomReset, cursor, cursorLeft, cursorRight, logX, sharedY, lossTerms
    case confirmYes, confirmNo
    case formSubmit, formCancel, formNext, formPrev
    case filterApply, filterCancel
    case helpClose, helpUp, helpDown
}

public enum BindingContext: String, Sendable, CaseIterable {
    case global, dashboard, runList = "run list", empty = "no runs", compare, help, confirm, form = "new run", filter
}

public struct KeyBinding: Sendable {
    public let keys: [Key]
    public let command: Command
    public let description: String
    public let context: BindingContext
    public let barLabel: String?             // short label in the key bar; nil = help screen only
    public var inBar: Bool { barLabel != nil }
}

public enum Bindings {
    private static func b(_ keys: [Key], _ cmd: Command, _ desc: String, _ ctx: BindingContext, bar: String? = nil) -> KeyBinding {
        KeyBinding(keys: keys, command: cmd, description: desc, context: ctx, barLabel: bar)
    }
    private static func c(_ s: String) -> Key { .char(Character(s)) }

    public static let table: [KeyBinding] = [
        // Modal contexts first: they shadow everything else.
        b([c("y"), .enter], .confirmYes, "confirm", .confirm, bar: "yes"),
        b([c("n"), .escape], .confirmNo, "cancel", .confirm, bar: "no"),
        b([.enter], .formSubmit, "start the run", .form, bar: "start"),
        b([.escape], .formCancel, "cancel", .form, bar: "cancel"),
        b([.tab, .down], .formNext, "next field", .form, bar: "next field"),
        b([.backTab, .up], .formPrev, "previous field", .form),
        b([.enter], .filterApply, "keep the filter", .filter, bar: "keep"),
        b([.escape], .filterCancel, "clear the filter", .filter, bar: "clear"),
        b([.escape, c("?"), c("q"), .function(1)], .helpClose, "close help", .help, bar: "close"),
        b([.up, c("k")], .helpUp, "scroll up", .help),
        b([.down, c("j")], .helpDown, "scroll down", .help),
        // Screens
        b([.enter], .startDefault, "start \(AppState.defaultPreset)", .empty, bar: "start \(AppState.defaultPreset)"),
        b([.char(" ")], .toggleCompare, "choose run for the overlay", .compare, bar: "choose"),
        b([c("P")], .probe, "probe-v1 the run under the cursor now", .compare, bar: "probe now"),
        b([.escape, c("c")], .back, "back to the dashboard", .compare, bar: "back"),
        b([.up], .up, "previous run", .runList),
        b([.down, c("j")], .down, "next run", .runList),
        b([.home, c("g")], .top, "first run", .runList),
        b([.end, c("G")], .bottom, "last run", .runList),
        b([c("p")], .pause, "pause the run", .dashboard, bar: "pause"),
        b([c("r")], .resume, "resume the run", .dashboard, bar: "resume"),
        b([c("x")], .stop, "stop the run (asks first)", .dashboard, bar: "stop"),
        b([c("+"), c("=")], .lrUp, "LR scale ×1.25", .dashboard, bar: "LR×1.25"),
        b([c("-")], .lrDown, "LR scale ×0.8", .dashboard),
        b([c("k")], .checkpoint, "checkpoint now", .dashboard, bar: "ckpt"),
        b([c("f")], .fork, "fork from the latest checkpoint", .dashboard, bar: "fork"),
        b([c("c")], .compare, "compare runs", .dashboard, bar: "compare"),
        b([c("["), .left], .snapshotPrev, "older mask snapshot", .dashboard),
        b([c("]"), .right], .snapshotNext, "newer mask snapshot", .dashboard),
        b([c("t")], .lossTerms, "loss pane: the loss / pos and neg, each on its own scale", .dashboard),
        b([c("Y")], .sharedY, "y range: robust over all runs / every run fits", .compare),
        // Everywhere
        b([c("q"), .ctrl("c")], .quit, "quit (asks if runs are live)", .global, bar: "quit"),
        b([c("?"), .function(1)], .help, "help", .global, bar: "help"),
        b([c("n")], .newRun, "new run", .global, bar: "new"),
        b([c("/")], .filter, "filter runs (! negates)", .global),
        b([.tab], .nextPane, "next pane", .global),
        b([.backTab], .prevPane, "previous pane", .global),
        b([c("s")], .smoothing, "smoothing on/off (debiased EMA 0.6)", .global, bar: "smooth"),
        b([c("z"), .wheelUp(x: 0, y: 0)], .zoomIn, "zoom in on x (wheel over a chart: around the pointer)", .global, bar: "zoom"),
        b([c("Z"), .wheelDown(x: 0, y: 0)], .zoomOut, "zoom out on x", .global),
        b([c("<")], .panLeft, "pan left (earlier steps)", .global),
        b([c(">")], .panRight, "pan right (later steps)", .global),
        b([c("F")], .followTail, "follow the tail (newest steps)", .global),
        b([c("0")], .zoomReset, "zoom out to the whole run", .global),
        b([c("i"), .click(x: 0, y: 0)], .cursor, "cursor on/off: exact logged values (click a chart to place it)", .global, bar: "cursor"),
        b([c(",")], .cursorLeft, "cursor one column left", .global),
        b([c(".")], .cursorRight, "cursor one column right", .global),
        b([c("L")], .logX, "log x (step axis)", .global),
        b([c("l")], .logY, "log y", .global),
        b([c("a")], .xAxis, "x axis: step / wall / relative", .global),
        b([c("M")], .toggleMouse, "mouse on/off", .global),
        b([.ctrl("l")], .redraw, "redraw the screen", .global),
    ]

    /// The contexts that are active, most specific first. Modal overlays shadow everything.
    public static func activeContexts(_ s: AppState) -> [BindingContext] {
        switch s.overlay {
        case .confirm: return [.confirm]
        case .form: return [.form]
        case .filter: return [.filter]
        case .help: return [.help]
        case nil: break
        }
        if s.screen == .compare { return [.compare, .runList, .global] }
        var out: [BindingContext] = []
        if s.runs.isEmpty { out.append(.empty) }
        if s.focus == .runs { out.append(.runList) }
        out += [.dashboard, .global]
        return out
    }

    /// The binding a key triggers now, if any.
    public static func lookup(_ key: Key, in s: AppState) -> KeyBinding? {
        for ctx in activeContexts(s) {
            if let hit = table.first(where: { $0.context == ctx && $0.keys.contains(key) }) { return hit }
        }
        return nil
    }

    /// Why a command cannot run now (nil = enabled). Shown as the message and dims the key in the bar.
    public static func disabledReason(_ cmd: Command, _ s: AppState) -> String? {
        let run = s.screen == .compare ? s.compareCursorRun : s.selectedRun
        switch cmd {
        case .pause, .resume, .stop, .lrUp, .lrDown, .checkpoint:
            guard let r = run else { return "no run selected" }
            // Any live run is steered through the store, whoever owns it; an imported log has no owner.
            if r.source == .imported { return "\(r.name) is an imported log; there is no trainer to steer" }
            switch cmd {
            case .pause: return r.status == .running ? nil : "\(r.name) is \(r.status.rawValue), not running"
            case .resume: return r.status == .paused ? nil : "\(r.name) is \(r.status.rawValue), not paused"
            default: return r.status.isLive ? nil : "\(r.name) is \(r.status.rawValue)"
            }
        case .fork:
            guard let r = run else { return "no run selected" }
            return r.source == .siamon ? nil : "\(r.name) has no siamon checkpoint to fork from"
        case .compare: return s.runs.isEmpty ? "no runs to compare yet" : nil
        case .panLeft, .panRight: return s.chart.window.isZoomed ? nil : "not zoomed in (z zooms)"
        case .cursorLeft, .cursorRight: return s.chart.cursor == nil ? "no cursor (i shows it)" : nil
        case .logX: return s.chart.xMode == .step ? nil : "log x needs the step axis (a switches)"
        case .probe: return run == nil ? "no run under the cursor" : nil
        case .newRun: return s.presets.isEmpty ? "no presets found (runs/presets/*.json)" : nil
        case .snapshotPrev, .snapshotNext:
            return s.selectedRunId.flatMap { s.data[$0]?.snapshots.isEmpty == false ? nil : "no mask snapshots yet" }
                ?? (s.selectedRunId == nil ? "no run selected" : nil)
        default: return nil
        }
    }
}

extension AppState {
    /// The run under the compare view's cursor.
    public var compareCursorRun: RunRow? {
        let rows = visibleRuns
        return rows.indices.contains(compareCursor) ? rows[compareCursor] : nil
    }
}
