// Synthetic, deterministic runs for the demo, the snapshots and the frame-time benchmark.

import Foundation
import RunCore
import TUI

public func demoState(width: Int, height: Int) -> AppState {
    var s = AppState(width: width, height: height)
    let rows = [
        DemoData.row("r1", "fmnist-tiny-1", .running, step: 1200, total: 3000, lr: "0.0015"),
        DemoData.row("r2", "fmnist-tiny-lr3e-3", .paused, step: 640, total: 3000, lr: "0.003"),
        DemoData.row("r3", "cifar-small", .done, step: 5000, total: 5000, lr: "0.0015", batch: "128", linear: 0.412, knn: 0.377),
        DemoData.row("r4", "torch-ddp-rank0", .running, step: 20000, total: 50000, lr: "0.0015", source: .pytorch),
        DemoData.row("r5", "mae-import", .done, step: 800, total: 800, lr: "0.00015", source: .imported),
    ]
    _ = update(&s, .runs(rows))
    _ = update(&s, .presets(DemoData.presets))
    DemoData.fill(&s, "r1", steps: 1200, total: 3000, seed: 1)
    DemoData.fill(&s, "r2", steps: 640, total: 3000, seed: 2)
    _ = update(&s, .snapshot(runId: "r1", DemoData.snapshot(step: 1000, seed: 3)))
    _ = update(&s, .snapshot(runId: "r1", DemoData.snapshot(step: 1200, seed: 4)))
    _ = update(&s, .status(runId: "r1", StatusInfo(step: 1200, totalSteps: 3000, epoch: 2.56, loss: 0.4213, lr: 1.5e-3,
                                                     momentum: 0.9972, gradNorm: 1.84, imagesPerSecond: 312, etaSeconds: 742)))
    DemoData.throughput(&s, "r1", steps: 1200)
    _ = update(&s, .usage(runId: "r1", ProcessUsage(pid: 4242, cpuPercent: 187, residentBytes: 1_610_612_736)))
    return s
}

extension DemoData {
    /// images/s around 312 with a dip at each checkpoint, and the matching step time, one value per 20 steps.
    public static func throughput(_ s: inout AppState, _ id: String, steps: Int) {
        let ips = stride(from: 0, to: steps, by: 20).map { (k: Int) -> SeriesPoint in
            let y: Double = k % 200 == 0 ? 250 : 312 + Double((k * 7) % 13)
            return SeriesPoint(x: Double(k), y: y)
        }
        let sec = ips.map { SeriesPoint(x: $0.x, y: 128 / $0.y) }
        _ = update(&s, .series(runId: id, key: "images_per_s", Series(key: "images_per_s", data: .points(ips))))
        _ = update(&s, .series(runId: id, key: "step_seconds", Series(key: "step_seconds", data: .points(sec))))
    }
}

/// The benchmark's state: `runs` runs, each with loss series of `points` points already reduced to the chart width.
public func benchState(width: Int, height: Int, runs: Int, points: Int) -> AppState {
    var s = AppState(width: width, height: height)
    _ = update(&s, .runs((0..<runs).map { DemoData.row("b\($0)", "bench-\($0)", .running, step: points, total: points * 2, lr: "0.0015") }))
    let cols = DemoData.lossColumns(s)
    for i in 0..<runs {
        var rng = DemoData.LCG(seed: UInt64(i + 1))
        let pts = (0..<points).map { k in SeriesPoint(x: Double(k), y: DemoData.lossCurve(Double(k) / Double(points) * 3000, &rng)) }
        let buckets = SeriesReducer.buckets(pts, columns: cols)
        for key in LossKeys.all {
            _ = update(&s, .series(runId: "b\(i)", key: key, Series(key: key, data: .buckets(buckets.map { b in
                var c = b; let f = key == "loss" ? 1.0 : key == "loss_pos" ? 0.4 : 0.6
                c.first *= f; c.last *= f; c.min *= f; c.max *= f; c.mean *= f; return c
            }))))
        }
        _ = update(&s, .planned(runId: "b\(i)", lr: DemoData.plannedLR(Double(points * 2), 1.5e-3), ema: DemoData.plannedEMA(Double(points * 2))))
        _ = update(&s, .snapshot(runId: "b\(i)", DemoData.snapshot(step: points, seed: UInt64(i))))
    }
    return s
}

public enum DemoData {
    public struct LCG {
        var state: UInt64
        public init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
        public mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    public static let presets = [
        PresetChoice(name: "fmnist-tiny", summary: "ViT-T/4 on Fashion-MNIST, ~3 min", fields: [
            PresetField(key: "optimizer.lr", label: "lr", value: "0.0015"),
            PresetField(key: "schedule.epochs", label: "epochs", value: "5"),
            PresetField(key: "train.steps", label: "steps", value: ""),
            PresetField(key: "train.batch_size", label: "batch", value: "64"),
        ]),
        PresetChoice(name: "smoke", summary: "3 steps, for tests"),
        PresetChoice(name: "cifar-small", summary: "ViT-S/4 on CIFAR-10"),
    ]

    public static func row(_ id: String, _ name: String, _ status: RowStatus, step: Int, total: Int, lr: String, batch: String = "64",
                    source: RunSource = .siamon, linear: Double? = nil, knn: Double? = nil) -> RunRow {
        var rng = LCG(seed: UInt64(name.utf8.count))
        let spark = (0..<24).map { i in lossCurve(Double(step) * Double(i + 1) / 24, &rng) }
        var row = RunRow(id: id, name: name, status: status, source: source, step: step, totalSteps: total,
                         epoch: Double(step) / 468.75, lastLoss: spark.last, sparkline: spark, probeLinear: linear, probeKnn: knn,
                         config: ["optimizer.lr": lr, "train.batch_size": batch, "schedule.epochs": "5", "model.depth": "4",
                                  "data.source": name.hasPrefix("cifar") ? "cifar10" : "fashion-mnist"])
        row.owner = status.isLive ? "here" : nil
        return row
    }

    /// A noisy decaying loss with occasional spikes.
    public static func lossCurve(_ step: Double, _ rng: inout LCG) -> Double {
        let base = 0.35 + 1.6 * exp(-step / 400)
        let noise = (rng.next() - 0.5) * 0.08
        let spike = rng.next() < 0.004 ? 1.2 : 0
        return base + noise + spike
    }

    public static func plannedLR(_ total: Double, _ peak: Double) -> PlannedSchedule {
        let warm = total * 0.1
        return PlannedSchedule(stride(from: 0.0, through: total, by: max(1, total / 200)).map { x in
            (x, x < warm ? peak * x / warm : peak * 0.5 * (1 + cos(Double.pi * (x - warm) / (total - warm))))
        })
    }

    public static func plannedEMA(_ total: Double) -> PlannedSchedule {
        PlannedSchedule(stride(from: 0.0, through: total, by: max(1, total / 200)).map { x in
            (x, 1 - (1 - 0.996) * (cos(Double.pi * x / total) + 1) / 2)
        })
    }

    public static func lossColumns(_ s: AppState) -> Int {
        DashboardLayout.make(width: s.width, height: s.height, focus: s.focus).map { ChartGeometry.dotColumns(in: $0.loss) } ?? 80
    }

    public static func fill(_ s: inout AppState, _ id: String, steps: Int, total: Int, seed: UInt64) {
        var rng = LCG(seed: seed)
        var loss: [SeriesPoint] = [], pos: [SeriesPoint] = [], neg: [SeriesPoint] = []
        for k in 0..<steps {
            let l = lossCurve(Double(k), &rng), split = 0.4 + 0.1 * rng.next()
            loss.append(SeriesPoint(x: Double(k), y: l))
            pos.append(SeriesPoint(x: Double(k), y: l * split))
            neg.append(SeriesPoint(x: Double(k), y: l * (1 - split)))
        }
        let planned = plannedLR(Double(total), 1.5e-3), ema = plannedEMA(Double(total))
        // The actual LR follows the plan, ×1.25 after the LR-scale event at step 800.
        let lrActual = planned.points.filter { $0.x <= Double(steps) }.map { SeriesPoint(x: $0.x, y: $0.x >= 800 ? $0.y * 1.25 : $0.y) }
        let emaActual = ema.points.filter { $0.x <= Double(steps) }
        _ = update(&s, .series(runId: id, key: "loss", Series(key: "loss", data: .points(loss))))
        _ = update(&s, .series(runId: id, key: "loss_pos", Series(key: "loss_pos", data: .points(pos))))
        _ = update(&s, .series(runId: id, key: "loss_neg", Series(key: "loss_neg", data: .points(neg))))
        _ = update(&s, .series(runId: id, key: "lr", Series(key: "lr", data: .points(lrActual))))
        _ = update(&s, .series(runId: id, key: "momentum", Series(key: "momentum", data: .points(emaActual))))
        _ = update(&s, .planned(runId: id, lr: planned, ema: ema))
        _ = update(&s, .events(runId: id, [EventMark(step: 800, kind: .lrScale, detail: "×1.25"), EventMark(step: 500, kind: .checkpoint)]))
    }

    /// A 28×28 grey "garment" source, two 16×16 RGB views, a 4×4 grid with a 2×3 block masked plus one patch.
    public static func snapshot(step: Int, seed: UInt64) -> MaskSnapshot {
        var rng = LCG(seed: seed)
        var src = [UInt8](repeating: 0, count: 28 * 28)
        for y in 0..<28 { for x in 0..<28 {
            let inBody = x >= 7 && x < 21 && y >= 4 && y < 26, inSleeve = y >= 4 && y < 12 && (x >= 3 && x < 25)
            src[y * 28 + x] = (inBody || inSleeve) ? UInt8(150 + Int(rng.next() * 80)) : 0
        } }
        let source = PixelImage(width: 28, height: 28, channels: 1, pixels: src)
        func view(_ c: TUI.CropBox, tint: (Double, Double, Double)) -> PixelImage {
            var px = [UInt8](repeating: 0, count: 16 * 16 * 3)
            for y in 0..<16 { for x in 0..<16 {
                let sx = c.left + (c.flipped ? 15 - x : x) * c.width / 16, sy = c.top + y * c.height / 16
                let v = Double(src[min(27, sy) * 28 + min(27, sx)])
                px[(y * 16 + x) * 3] = UInt8(min(255, v * tint.0)); px[(y * 16 + x) * 3 + 1] = UInt8(min(255, v * tint.1))
                px[(y * 16 + x) * 3 + 2] = UInt8(min(255, v * tint.2))
            } }
            return PixelImage(width: 16, height: 16, channels: 3, pixels: px)
        }
        let c1 = TUI.CropBox(top: 2 + Int(seed % 3), left: 3, height: 20, width: 18, flipped: false)
        let c2 = TUI.CropBox(top: 6, left: 8, height: 16, width: 16, flipped: true)
        var mask = [Bool](repeating: false, count: 16)
        for r in 1..<3 { for c in 0..<3 { mask[r * 4 + c] = true } }
        mask[15] = true
        return MaskSnapshot(step: step, grid: 4, mask: mask, view1: view(c1, tint: (1.0, 0.9, 0.7)), view2: view(c2, tint: (0.7, 0.9, 1.0)),
                            source: source, crop1: c1, crop2: c2)
    }
}
