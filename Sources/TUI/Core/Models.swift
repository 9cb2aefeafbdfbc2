import RunCore
// Plain values for everything the TUI shows. The live driver converts store and trainer-host types to these,
// so the widgets depend on no other module's API.

/// A run-list row's status: the run's stored status, `queued` while it waits in this siamon's queue, or
/// `stalled` while its writer process exists but has stopped heartbeating.
public enum RowStatus: String, Sendable, CaseIterable {
    case running, paused, done, failed, interrupted, stopped, queued, stalled
    /// A live run is one a trainer thread still owns (quitting asks first).
    public var isLive: Bool { self == .running || self == .paused || self == .queued || self == .stalled }
    public var glyph: Unicode.Scalar {
        switch self {
        case .running: "▶"
        case .paused: "‖"
        case .done: "✓"
        case .failed: "✗"
        case .interrupted: "!"
        case .stopped: "■"
        case .queued: "…"
        case .stalled: "?"
        }
    }
}


public struct RunRow: Equatable, Sendable, Identifiable {
    public var id: String
    public var name: String
    public var status: RowStatus
    public var source: RunSource
    public var step: Int
    public var totalSteps: Int
    public var epoch: Double
    public var lastLoss: Double?
    public var sparkline: [Double]          // recent loss values, oldest first (≤ ~32)
    public var probeLinear: Double?         // probe-v1 top-1 accuracy in [0, 1]
    public var probeKnn: Double?
    public var config: [String: String]     // flattened "optimizer.lr" → "0.0015"
    public var parent: String?              // "parentName@step" for forks
    public var wallSeconds: Double?         // training wall time: start to end (to now while live)
    public var probeProtocol: String?       // of the latest probe: "probe-v1", or "probe-v1-subset" (sweep smoke)
    /// Who writes the run while it is live: "here" (a trainer in this siamon), "pid 4242" (another process on
    /// this host), "pid 4242 on gpu7", "pytorch pid 4242 on gpu7"; nil once it has ended.
    public var owner: String?
    public var ownedHere: Bool { owner == "here" }

    public init(id: String, name: String, status: RowStatus, source: RunSource = .siamon, step: Int = 0,
                totalSteps: Int = 0, epoch: Double = 0, lastLoss: Double? = nil, sparkline: [Double] = [],
                probeLinear: Double? = nil, probeKnn: Double? = nil, config: [String: String] = [:], parent: String? = nil,
                wallSeconds: Double? = nil, probeProtocol: String? = nil) {
        self.id = id; self.name = name; self.status = status; self.source = source; self.step = step
        self.totalSteps = totalSteps; self.epoch = epoch; self.lastLoss = lastLoss; self.sparkline = sparkline
        self.probeLinear = probeLinear; self.probeKnn = probeKnn; self.config = config; self.parent = parent
        self.wallSeconds = wallSeconds; self.probeProtocol = probeProtocol
    }
}

/// x axis of a chart. Series are delivered already in the requested x mode.
public enum XMode: String, Sendable, CaseIterable {
    case step, wallTime, relativeTime
    public var next: XMode { self == .step ? .wallTime : self == .wallTime ? .relativeTime : .step }
    public var label: String { self == .step ? "step" : self == .wallTime ? "wall time" : "relative time" }
}

public struct SeriesPoint: Equatable, Sendable {
    public var x: Double, y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// One chart column of a min/max-reduced series (M4: first, last, min, max; plus the mean for smoothing).
/// The steps it covers are kept beside x, so a time axis can find the step under the mouse.
public struct SeriesBucket: Equatable, Sendable {
    public var xMin: Double, xMax: Double
    public var first: Double, last: Double, min: Double, max: Double, mean: Double
    public var stepMin: Int, stepMax: Int
    public init(xMin: Double, xMax: Double, first: Double, last: Double, min: Double, max: Double, mean: Double,
                stepMin: Int? = nil, stepMax: Int? = nil) {
        self.xMin = xMin; self.xMax = xMax; self.first = first; self.last = last; self.min = min; self.max = max; self.mean = mean
        self.stepMin = stepMin ?? SeriesBucket.step(xMin); self.stepMax = stepMax ?? SeriesBucket.step(xMax)
    }
    static func step(_ x: Double) -> Int { x.isFinite ? Int(Swift.max(Swift.min(x, 9e15), -9e15)) : 0 }
}

public enum SeriesData: Equatable, Sendable {
    case points([SeriesPoint])      // full resolution (short runs)
    case buckets([SeriesBucket])    // reduced to ≤ the requested columns
}

public struct Series: Equatable, Sendable {
    public var key: String          // "loss", "loss_pos", "loss_neg", "lr", "momentum"
    public var xMode: XMode
    public var data: SeriesData
    public init(key: String, xMode: XMode = .step, data: SeriesData) { self.key = key; self.xMode = xMode; self.data = data }
    public init(key: String, xMode: XMode = .step, points: [(Double, Double)]) {
        self.init(key: key, xMode: xMode, data: .points(points.map { SeriesPoint(x: $0.0, y: $0.1) }))
    }
    public var isEmpty: Bool {
        switch data { case .points(let p): p.isEmpty; case .buckets(let b): b.isEmpty }
    }
}

/// A planned schedule sampled across the whole run, x in steps (LiveMapping computes it from the config).
public struct PlannedSchedule: Equatable, Sendable {
    public var points: [SeriesPoint]
    public init(points: [SeriesPoint]) { self.points = points }
    public init(_ pairs: [(Double, Double)]) { points = pairs.map { SeriesPoint(x: $0.0, y: $0.1) } }
}

/// 8-bit image, row-major, `channels` 1 (grey) or 3 (RGB).
public struct PixelImage: Equatable, Sendable {
    public var width: Int, height: Int, channels: Int
    public var pixels: [UInt8]
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }
    public var isValid: Bool {
        width > 0 && height > 0 && width <= 1 << 14 && height <= 1 << 14 && (channels == 1 || channels == 3)
            && pixels.count >= width * height * channels
    }
    public func rgb(_ x: Int, _ y: Int) -> RGB {
        let i = (y * width + x) * channels
        return channels == 1 ? RGB(gray: pixels[i]) : RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

/// A crop in source-image pixels (RandomResizedCrop box), with the horizontal flip applied after it.
public struct CropBox: Equatable, Sendable {
    public var top: Int, left: Int, height: Int, width: Int, flipped: Bool
    public init(top: Int, left: Int, height: Int, width: Int, flipped: Bool) {
        self.top = top; self.left = left; self.height = height; self.width = width; self.flipped = flipped
    }
}

public struct MaskSnapshot: Equatable, Sendable {
    public var step: Int
    public var grid: Int                 // G: patches per side
    public var mask: [Bool]              // G·G, row-major, true = masked (view 1)
    public var view1: PixelImage
    public var view2: PixelImage
    public var source: PixelImage
    public var crop1: CropBox, crop2: CropBox
    public init(step: Int, grid: Int, mask: [Bool], view1: PixelImage, view2: PixelImage, source: PixelImage,
                crop1: CropBox, crop2: CropBox) {
        self.step = step; self.grid = grid; self.mask = mask; self.view1 = view1; self.view2 = view2
        self.source = source; self.crop1 = crop1; self.crop2 = crop2
    }
}

public enum EventKind: String, Sendable { case lrScale = "lr_scale", pause, resume, checkpoint, fork, stop, other }

public struct EventMark: Equatable, Sendable {
    public var step: Int
    public var kind: EventKind
    public var detail: String            // e.g. "×1.25"
    public init(step: Int, kind: EventKind, detail: String = "") { self.step = step; self.kind = kind; self.detail = detail }
}

public struct StatusInfo: Equatable, Sendable {
    public var step: Int, totalSteps: Int
    public var epoch: Double
    public var loss: Double?, lr: Double?, momentum: Double?, gradNorm: Double?
    public var imagesPerSecond: Double?
    public var etaSeconds: Double?
    public init(step: Int, totalSteps: Int, epoch: Double, loss: Double? = nil, lr: Double? = nil, momentum: Double? = nil,
                gradNorm: Double? = nil, imagesPerSecond: Double? = nil, etaSeconds: Double? = nil) {
        self.step = step; self.totalSteps = totalSteps; self.epoch = epoch; self.loss = loss; self.lr = lr
        self.momentum = momentum; self.gradNorm = gradNorm; self.imagesPerSecond = imagesPerSecond; self.etaSeconds = etaSeconds
    }
}

/// One editable field of the new-run dialog: `key` is the override key passed to the trainer ("optimizer.lr").
public struct PresetField: Equatable, Sendable {
    public var key: String, label: String, value: String
    public init(key: String, label: String, value: String) { self.key = key; self.label = label; self.value = value }
}

public struct PresetChoice: Equatable, Sendable {
    public var name: String
    public var summary: String
    public var fields: [PresetField]     // empty → the dialog's standard fields with empty values
    public init(name: String, summary: String = "", fields: [PresetField] = []) {
        self.name = name; self.summary = summary; self.fields = fields
    }
    /// The fields the dialog edits when a preset names none.
    public static let standardFields = [
        PresetField(key: "optimizer.lr", label: "lr", value: ""),
        PresetField(key: "schedule.epochs", label: "epochs", value: ""),
        PresetField(key: "train.steps", label: "steps", value: ""),
        PresetField(key: "train.batch_size", label: "batch", value: ""),
    ]
}
