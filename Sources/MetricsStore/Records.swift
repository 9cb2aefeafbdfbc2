import SiamTrain

/// A run's lifecycle state (the `run.status` column).
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running, paused, done, failed, interrupted, stopped
    /// A writer is expected to be attached.
    public var isLive: Bool { self == .running || self == .paused }
}

/// Who wrote a run (the `run.source` column).
public enum RunSource: String, Sendable, Codable {
    case siamon, pytorch
    case imported = "import"
}

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
}

/// The mask panel's picture of one sample at one step: both views, the source image, the mask and the crops.
/// Pixels are 8-bit, row-major, channels interleaved (HWC).
public struct SnapshotRecord: Sendable, Equatable {
    public var step: Int
    public var viewWidth: Int, viewHeight: Int, viewChannels: Int
    public var view1: [UInt8], view2: [UInt8]
    public var sourceWidth: Int, sourceHeight: Int, sourceChannels: Int
    public var source: [UInt8]
    public var gridWidth: Int, gridHeight: Int
    /// gridWidth·gridHeight entries, row-major, 1 = masked (as `Batch.mask`). Stored packed, 8 per byte.
    public var mask: [UInt8]
    public var crop1: CropBox, crop2: CropBox
    public var sourceId: Int
    public var wallTime: Double

    public init(step: Int, viewWidth: Int, viewHeight: Int, viewChannels: Int, view1: [UInt8], view2: [UInt8],
                sourceWidth: Int, sourceHeight: Int, sourceChannels: Int, source: [UInt8],
                gridWidth: Int, gridHeight: Int, mask: [UInt8], crop1: CropBox, crop2: CropBox,
                sourceId: Int, wallTime: Double) {
        self.step = step; self.viewWidth = viewWidth; self.viewHeight = viewHeight; self.viewChannels = viewChannels
        self.view1 = view1; self.view2 = view2; self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
        self.sourceChannels = sourceChannels; self.source = source; self.gridWidth = gridWidth
        self.gridHeight = gridHeight; self.mask = mask; self.crop1 = crop1; self.crop2 = crop2
        self.sourceId = sourceId; self.wallTime = wallTime
    }

    /// Sizes agree with the pixel and mask arrays.
    public var isConsistent: Bool {
        view1.count == viewWidth * viewHeight * viewChannels && view2.count == view1.count
            && source.count == sourceWidth * sourceHeight * sourceChannels && mask.count == gridWidth * gridHeight
    }
}
