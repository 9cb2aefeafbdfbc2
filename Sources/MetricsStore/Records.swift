import RunCore

/// A fork point: the run and step a new run continues from.
public struct RunParent: Sendable, Equatable {
    public var runId: Int64
    public var step: Int
    public init(runId: Int64, step: Int) { self.runId = runId; self.step = step }
}

/// One row of the run list (`siamon runs`, the TUI's run pane).
public struct RunSummary: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var status: RunStatus
    public var preset: String
    /// Highest logged step + 1 over every key; 0 when nothing is logged yet.
    public var steps: Int
    public var lastLoss: Double?
    public var createdAt: Double
    public var endedAt: Double?
    public var source: RunSource
    public var parent: RunParent?
    public var latestProbe: ProbeRecord?
    public var writerPid: Int32?
    public var writerHost: String?
    public var heartbeat: Double?
    /// A stored step outside `FileIntegers` (0...2^53-1), written before that limit was enforced; such rows
    /// are left out of `steps` and of the charts. Nil for a sound run.
    public var damagedStep: Int? = nil

    /// One line naming the damage and what to do, or nil for a sound run.
    public var damageWarning: String? {
        guard let s = damagedStep else { return nil }
        return "warning: run '\(name)' holds step \(s), outside 0 to 2^53-1; its step count and charts leave those rows out; re-import the fixed source under a new name, or export the run and fix the file"
    }
}

public struct ProbeRecord: Sendable, Equatable {
    public var runId: Int64
    public var step: Int
    public var linear: Double?
    public var knn: Double?
    public var protocolName: String
    public var wallTime: Double
    public init(runId: Int64, step: Int, linear: Double?, knn: Double?, protocolName: String, wallTime: Double) {
        self.runId = runId; self.step = step; self.linear = linear; self.knn = knn
        self.protocolName = protocolName; self.wallTime = wallTime
    }
}

public struct CheckpointRecord: Sendable, Equatable {
    public var runId: Int64
    public var step: Int
    public var path: String
    public var bytes: Int
    public var wallTime: Double
}

public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var runId: Int64
    public var step: Int
    public var wallTime: Double
    public var kind: String
    public var detail: String
}

/// One logged point. `value` may be NaN or ±Infinity.
public struct ScalarPoint: Sendable, Equatable {
    public var runId: Int64
    public var key: String
    public var step: Int
    public var value: Double
    public var wallTime: Double?
    public init(runId: Int64, key: String, step: Int, value: Double, wallTime: Double?) {
        self.runId = runId; self.key = key; self.step = step; self.value = value; self.wallTime = wallTime
    }
    /// Equality that treats NaN as equal to NaN (bit-exact round trips are what the tests check).
    public static func == (a: ScalarPoint, b: ScalarPoint) -> Bool {
        a.runId == b.runId && a.key == b.key && a.step == b.step && a.wallTime == b.wallTime
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// One chart column of a series: the points with steps in xMin...xMax. min/max ignore NaN (NaN when every
/// point is NaN); first/last are the values at xMin and xMax.
public struct ColumnBucket: Sendable, Equatable {
    public var xMin: Int
    public var xMax: Int
    public var first: Double
    public var last: Double
    public var min: Double
    public var max: Double
    public var count: Int
    public var nanCount: Int
    /// Sum of the non-NaN values (NaN when +Inf and −Inf met), and the wall times of xMin and xMax.
    public var sum: Double = 0
    public var wallFirst: Double? = nil
    public var wallLast: Double? = nil

    /// The mean of the non-NaN values; NaN when there are none.
    public var mean: Double { count > nanCount ? sum / Double(count - nanCount) : .nan }
}

