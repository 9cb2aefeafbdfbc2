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

    static func bucket(_ b: ColumnBucket) -> SeriesBucket {
        SeriesBucket(xMin: Double(b.xMin), xMax: Double(b.xMax), first: b.first, last: b.last, min: b.min, max: b.max,
                     mean: (b.first + b.last) / 2)
    }

    /// Re-labels step buckets by wall time (or time since the first step) using the loss key's wall times.
    static func toTime(_ buckets: [SeriesBucket], db: MetricsDatabase, runId: Int64, relative: Bool) throws -> [SeriesBucket] {
        let stamps = try db.points(runId: runId, key: "loss").compactMap { p in p.wallTime.map { (Double(p.step), $0) } }
        guard let first = stamps.first else { return [] }
        func time(_ step: Double) -> Double {
            var lo = 0, hi = stamps.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if stamps[mid].0 < step { lo = mid + 1 } else { hi = mid } }
            return stamps[lo].1 - (relative ? first.1 : 0)
        }
        return buckets.map { b in
            var c = b; c.xMin = time(b.xMin); c.xMax = time(b.xMax); return c
        }
    }

    static func event(_ e: EventRecord) -> EventMark? {
        let kind = EventKind(rawValue: e.kind) ?? .other
        if kind == .other && !["nan", "rollback", "done", "probe", "disk_full"].contains(e.kind) { return nil }
        var detail = e.kind == "lr_scale" ? "" : e.kind
        if e.kind == "lr_scale", let f = e.detail.range(of: "\"factor\":") {
            let v = e.detail[f.upperBound...].prefix { "0123456789.e-".contains($0) }
            detail = "×" + v
        }
        return EventMark(step: e.step, kind: kind, detail: detail)
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
