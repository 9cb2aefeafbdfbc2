import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Tensor

/// Conversions from the store's and the trainer's values to the TUI's display values.
enum LiveMapping {
    static func status(_ s: RunStatus) -> RowStatus {
        RowStatus(rawValue: s.rawValue) ?? .interrupted
    }

    static func status(_ h: HostStatus) -> RowStatus {
        h.started || !h.isLive ? status(h.phase) : .queued
    }

    /// A store column in steps; its mean is the real mean of its non-NaN values (the pyramid keeps sums).
    static func bucket(_ b: ColumnBucket) -> SeriesBucket {
        SeriesBucket(xMin: Double(b.xMin), xMax: Double(b.xMax), first: b.first, last: b.last, min: b.min, max: b.max,
                     mean: b.mean, stepMin: b.xMin, stepMax: b.xMax)
    }

    /// The same column on a time axis: the wall times of its first and last steps, which the pyramid keeps,
    /// minus `origin` (the run's first wall time, for the relative axis). nil when the column has no wall time.
    static func timeBucket(_ b: ColumnBucket, origin: Double) -> SeriesBucket? {
        guard let w0 = b.wallFirst ?? b.wallLast, let w1 = b.wallLast ?? b.wallFirst else { return nil }
        return SeriesBucket(xMin: w0 - origin, xMax: w1 - origin, first: b.first, last: b.last, min: b.min, max: b.max,
                            mean: b.mean, stepMin: b.xMin, stepMax: b.xMax)
    }

    /// The chart mark of a stored event, decoded through RunEvent's typed details: steering, checkpoints and
    /// faults are marked; bookkeeping (pruned or skipped checkpoints) is not. A detail this build cannot
    /// decode still marks a known kind, without its detail.
    static func event(_ e: EventRecord) -> EventMark? {
        guard let kind = RunEvent.Kind(rawValue: e.kind) else { return nil }
        let decoded = RunEvent(kind: e.kind, detail: e.detail)
        switch kind {
        case .lrScale:
            guard case .lrScale(let d)? = decoded else { return EventMark(step: e.step, kind: .lrScale) }
            return EventMark(step: e.step, kind: .lrScale, detail: "×\(d.factor)")
        case .pause: return EventMark(step: e.step, kind: .pause, detail: e.kind)
        case .resume: return EventMark(step: e.step, kind: .resume, detail: e.kind)
        case .stop: return EventMark(step: e.step, kind: .stop, detail: e.kind)
        case .checkpoint: return EventMark(step: e.step, kind: .checkpoint, detail: e.kind)
        case .fork: return EventMark(step: e.step, kind: .fork, detail: e.kind)
        case .nan, .rollback, .done, .probe, .diskFull: return EventMark(step: e.step, kind: .other, detail: e.kind)
        default: return nil
        }
    }

    static func snapshot(_ s: SnapshotRecord) -> MaskSnapshot {
        func crop(_ c: RunCore.CropBox) -> CropBox {
            CropBox(top: c.top, left: c.left, height: c.height, width: c.width, flipped: c.flipped)
        }
        return MaskSnapshot(step: s.step, grid: s.gridWidth, mask: s.mask.map { $0 != 0 },
                            view1: PixelImage(width: s.viewWidth, height: s.viewHeight, channels: s.viewChannels, pixels: s.view1),
                            view2: PixelImage(width: s.viewWidth, height: s.viewHeight, channels: s.viewChannels, pixels: s.view2),
                            source: PixelImage(width: s.sourceWidth, height: s.sourceHeight, channels: s.sourceChannels, pixels: s.source),
                            crop1: crop(s.crop1), crop2: crop(s.crop2))
    }

    /// A config JSON that is not a siamon preset (a PyTorch or imported run): its scalar leaves as dotted keys.
    static func flattenJSON(_ json: String) -> [String: String] {
        guard let v = try? JSONValue.parse(Array(json.utf8)) else { return [:] }
        var out: [String: String] = [:]
        func plain(_ v: JSONValue) -> String {
            switch v {
            case .null: "null"
            case .bool(let b): String(b)
            case .int(let i): String(i)
            case .double(let d): String(d)
            case .string(let s): s
            case .array(let xs): "[" + xs.map(plain).joined(separator: ",") + "]"
            case .object: "{…}"
            }
        }
        func walk(_ v: JSONValue, _ path: String) {
            if case .object(let pairs) = v {
                for (k, x) in pairs { walk(x, path.isEmpty ? k : path + "." + k) }
            } else {
                out[path] = plain(v)
            }
        }
        walk(v, "")
        return out
    }
}

/// The run's plan from its config: steps per epoch, total steps, the planned LR and EMA-momentum curves.
public enum RunPlan {
    public static func stepsPerEpoch(_ c: RunConfig) -> Int {
        let size: Int
        switch c.data.source {
        case "fashion-mnist": size = 60_000
        case "cifar10": size = 50_000
        case "synthetic": size = DataSources.syntheticCount[.train] ?? 2048
        default: size = c.train.batchSize
        }
        return max(1, size / max(1, c.train.batchSize))
    }

    public static func totalSteps(_ c: RunConfig) -> Int { Schedule(config: c, stepsPerEpoch: stepsPerEpoch(c)).totalSteps }

    static func planned(run: String, config c: RunConfig) -> AppEvent {
        let s = Schedule(config: c, stepsPerEpoch: stepsPerEpoch(c))
        let lr = s.planned(points: 240) { s.learningRate(step: $0) }.map { SeriesPoint(x: Double($0.step), y: $0.value) }
        let ema = s.planned(points: 240) { s.emaMomentum(step: $0) }.map { SeriesPoint(x: Double($0.step), y: $0.value) }
        return .planned(runId: run, lr: PlannedSchedule(points: lr), ema: PlannedSchedule(points: ema))
    }
}
