// The whole UI state as data. `update` changes it; `renderApp` draws it. Nothing here touches a terminal.

public enum Screen: Sendable, Equatable { case dashboard, compare }

public enum Pane: Int, Sendable, CaseIterable { case runs, loss, lr, ema, mask }

public enum ConfirmAction: Equatable, Sendable { case quit, stop(String) }

public struct ConfirmDialog: Equatable, Sendable {
    public var action: ConfirmAction
    public var question: String
}

/// The new-run (and fork) dialog. Row 0 is the preset list, row 1 the name, then one row per field.
public struct RunForm: Equatable, Sendable {
    public enum Mode: Equatable, Sendable { case new, fork(String) }
    public var mode: Mode
    public var presetIndex: Int
    public var name: String
    public var fields: [PresetField]
    public var original: [String: String]   // values the fields started with: only changes become overrides
    public var row: Int
    public var error: String?
    /// New runs only: train in a headless siamon of its own, which outlives this one.
    public var background = false
    /// The "run" row (here / background) comes after the fields.
    public var whereRow: Int? { mode == .new ? fields.count + 2 : nil }
}

public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
    case confirm(ConfirmDialog)
    case form(RunForm)
    case filter                              // typing the run filter
}

public struct ChartOptions: Equatable, Sendable {
    public var smoothing = false
    public var smoothingWeight = 0.6         // TensorBoard's default
    public var logY = false
    public var xMode: XMode = .step
    public var logX = false                  // step axis only
    public var sharedY = false               // compare: the union of each run's own robust range
    public var lossTerms = false             // the loss pane shows pos and neg, each on its own scale
    public var window = XWindow()            // zoom and pan, in steps
    public var cursor: Int?                  // the inspected step; nil = no cursor
    public init() {}
}

/// Everything known about one run beyond its row.
public struct RunData: Equatable, Sendable {
    public var series: [String: Series] = [:]
    public var snapshots: [MaskSnapshot] = []      // oldest first, at most `AppState.maxSnapshots`
    public var events: [EventMark] = []
    public var plannedLR: PlannedSchedule?
    public var plannedEMA: PlannedSchedule?
    public var status: StatusInfo?
    public var readout: Readout?                    // exact logged values at the cursor
    public var usage: ProcessUsage?                 // the owning process's CPU and memory, when on this host
    public init() {}
}

public struct AppState: Equatable, Sendable {
    public static let maxSnapshots = 32
    public static let defaultPreset = "fmnist-tiny"
    public static let refreshInterval = 0.5         // seconds between series requests for live runs

    public var width: Int, height: Int
    public var screen: Screen = .dashboard
    public var overlay: Overlay?
    public var focus: Pane = .runs
    public var runs: [RunRow] = []
    public var selectedRunId: String?
    public var compareIds: [String] = []            // runs chosen for the compare overlay, in choice order
    public var compareCursor = 0
    public var filter = ""
    public var data: [String: RunData] = [:]
    public var presets: [PresetChoice] = []
    public var chart = ChartOptions()
    public var snapshotBack = 0                      // 0 = latest snapshot, n = n snapshots before it
    public var message: String?
    public var messageTime = 0.0
    public var now = 0.0
    public var lastRequest = -1e9
    public var mouseEnabled = true
    public var monochrome = false                    // NO_COLOR / TERM=dumb: series differ by glyph

    public init(width: Int, height: Int) { self.width = width; self.height = height }

    /// Runs that pass the filter (case-insensitive substring of name or status; a leading '!' negates).
    public var visibleRuns: [RunRow] {
        guard !filter.isEmpty else { return runs }
        let negate = filter.hasPrefix("!")
        let needle = (negate ? String(filter.dropFirst()) : filter).lowercased()
        if needle.isEmpty { return runs }
        return runs.filter { r in
            let hit = r.name.lowercased().contains(needle) || r.status.rawValue.contains(needle)
            return hit != negate
        }
    }

    public var selectedRun: RunRow? { runs.first { $0.id == selectedRunId } }
    public var hasLiveRuns: Bool { runs.contains { $0.status.isLive } }

    /// The snapshot the mask panel shows, honouring `[`/`]` steps back in time.
    public func currentSnapshot(_ runId: String) -> MaskSnapshot? {
        guard let snaps = data[runId]?.snapshots, !snaps.isEmpty else { return nil }
        return snaps[max(0, snaps.count - 1 - snapshotBack)]
    }
}
