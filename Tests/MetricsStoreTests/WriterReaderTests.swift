import Foundation
import RunCore
import Testing
import SiamTrain
@testable import MetricsStore

@Suite("MetricsStore writer and readers")
struct WriterReaderTests {
    @Test("StoreWriter round-trips every StepReport field, NaN and ±Inf included, and finishes the run")
    func writerRoundTrip() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "w", preset: "smoke", configJSON: "{\"a\":1}", source: .siamon)
        let w = try StoreWriter(path: t.db, runId: id)
        var sent: [StepReport] = []
        for step in 0..<50 {
            var r = report(step)
            if step == 10 { r.loss = .nan }
            if step == 11 { r.gradNorm = .infinity }
            if step == 12 { r.lossNeg = -.infinity }
            sent.append(r)
            w.record(r)
        }
        w.event(step: 20, .pause(RunEvent.Control()))
        w.checkpoint(step: 30, path: "runs/w/step30.safetensors", bytes: 1234)
        w.probe(step: 49, linear: 80.5, knn: nil, protocolName: "probe-v1")
        try w.finish(status: .done)

        for key in ["loss", "loss_pos", "loss_neg", "lr", "ema_momentum", "grad_norm", "images_per_s", "epoch", "step_seconds"] {
            let pts = try db.points(runId: id, key: key)
            #expect(pts.count == 50, "\(key)")
            let expected = sent.map { r in r.scalars.first { $0.key == key }!.value }
            let got = pts.map(\.value)
            #expect(zip(got, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(key)")
            #expect(pts.map(\.wallTime) == sent.map { Optional($0.wallTime) })
        }
        #expect(try db.points(runId: id, key: "loss")[10].value.isNaN)
        #expect(try db.points(runId: id, key: "grad_norm")[11].value == .infinity)
        #expect(try db.points(runId: id, key: "loss_neg")[12].value == -.infinity)
        let summary = try db.run(named: "w")
        #expect(summary.status == .done)
        #expect(summary.steps == 50)
        #expect(summary.lastLoss == sent[49].loss)
        #expect(summary.endedAt != nil)
        #expect(summary.latestProbe?.linear == 80.5 && summary.latestProbe?.knn == nil)
        #expect(try db.events(runId: id).map(\.kind) == ["pause"])
        #expect(try db.checkpoints(runId: id).map(\.bytes) == [1234])
    }

    @Test("record does not wait for the disk: 10,000 reports enqueue in well under a second while a reader holds the lock")
    func recordNeverBlocks() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "nb", preset: "", configJSON: "{}", source: .siamon)
        let w = try StoreWriter(path: t.db, runId: id)
        // Another connection holds the write lock, so the writer thread is stuck in busy-wait meanwhile.
        let blocker = try MetricsDatabase(path: t.db)
        try blocker.with { c in try c.exec("BEGIN IMMEDIATE") }
        let start = Date()
        for s in 0..<10_000 { w.record(report(s)) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 1.0, "record took \(elapsed) s for 10k reports")
        try blocker.with { c in try c.exec("COMMIT") }
        try w.finish(status: .done)
        #expect(try db.points(runId: id, key: "loss").count == 10_000)
    }

    @Test("a full snapshot queue drops snapshots, never metrics")
    func snapshotDrops() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "snap", preset: "", configJSON: "{}", source: .siamon)
        var o = StoreWriter.Options(); o.snapshotCapacity = 2; o.flushInterval = 5
        let w = try StoreWriter(path: t.db, runId: id, options: o)
        for s in 0..<5 { w.snapshot(sampleSnapshot(step: s)); w.record(report(s)) }
        #expect(w.droppedSnapshots == 3)
        try w.finish(status: .done)
        #expect(try db.snapshotSteps(runId: id) == [0, 1])
        #expect(try db.points(runId: id, key: "lr").count == 5)
        let back = try db.snapshot(runId: id, step: 1)
        #expect(back == sampleSnapshot(step: 1))
    }

    @Test("flush commits within the call; commits are batched (≤ one per 100 ms while recording)")
    func batching() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "b", preset: "", configJSON: "{}", source: .siamon)
        let w = try StoreWriter(path: t.db, runId: id)
        let start = Date()
        var s = 0
        while Date().timeIntervalSince(start) < 0.5 { w.record(report(s)); s += 1; usleep(500) }
        #expect(w.flush())
        #expect(try db.points(runId: id, key: "loss").count == s)
        // 0.5 s of recording at ≤ 1 commit per 100 ms: at most ~5-7 commits, never one per report.
        #expect(w.commits <= 8 && s > 50, "commits \(w.commits) for \(s) reports")
        try w.finish(status: .stopped)
        #expect(try db.run(named: "b").status == .stopped)
    }

    @Test("poller returns nothing when nothing changed, then exactly the new rows")
    func poller() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let id = try db.createRun(name: "p", preset: "", configJSON: "{}", source: .siamon)
        let w = try StoreWriter(path: t.db, runId: id)
        for s in 0..<3 { w.record(report(s)) }
        w.flush()
        let reader = try MetricsDatabase(path: t.db, mode: .readOnly)
        let p = try StorePoller(database: reader, fromStart: true)
        let first = try #require(try p.poll())
        #expect(first.scalars.count == 27)
        #expect(try p.poll() == nil)
        w.record(report(3)); w.event(step: 3, .lrScale(RunEvent.LRScale(factor: 0.5, scale: 0.5))); w.flush()
        let second = try #require(try p.poll())
        #expect(second.scalars.count == 9 && second.scalars.allSatisfy { $0.step == 3 })
        #expect(second.events.map(\.kind) == ["lr_scale"])
        try w.finish(status: .done)
        let late = try StorePoller(database: reader, fromStart: false)
        #expect(try late.poll()?.scalars.isEmpty == true)
    }

    @Test("a run whose writer process is gone is reported and then marked interrupted")
    func vanishedWriter() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let live = try db.createRun(name: "live", preset: "", configJSON: "{}", source: .siamon)
        let dead = try db.createRun(name: "dead", preset: "", configJSON: "{}", source: .pytorch)
        let remote = try db.createRun(name: "remote", preset: "", configJSON: "{}", source: .pytorch)
        let now = Date().timeIntervalSince1970
        try db.with { c in
            // A pid that cannot exist (above pid_max) stands in for a dead writer on this host.
            try c.exec("UPDATE run SET writerPid = 2147483000 WHERE id = \(dead)")
            try c.exec("UPDATE run SET writerHost = 'elsewhere', heartbeat = \(now - 60) WHERE id = \(remote)")
        }
        let ro = try MetricsDatabase(path: t.db, mode: .readOnly)
        #expect(try ro.runs().map(\.status) == [.running, .interrupted, .interrupted])
        #expect(try db.markVanishedWriters().sorted() == ["dead", "remote"])
        #expect(try db.runs(resolveVanished: false).map(\.status) == [.running, .interrupted, .interrupted])
        #expect(try db.events(runId: dead).map(\.kind) == ["crash-detected"])
        _ = live
    }
}

func sampleSnapshot(step: Int) -> SnapshotRecord {
    let v = 7, n = 7 * 7
    return SnapshotRecord(step: step, viewWidth: 28, viewHeight: 28, viewChannels: 1,
                          view1: (0..<784).map { UInt8(($0 + step) & 255) }, view2: (0..<784).map { UInt8(($0 * 3) & 255) },
                          sourceWidth: 28, sourceHeight: 28, sourceChannels: 1, source: (0..<784).map { UInt8($0 % 251) },
                          gridWidth: v, gridHeight: v, mask: (0..<n).map { UInt8(($0 * 7 + step) % 3 == 0 ? 1 : 0) },
                          crop1: CropBox(top: 1, left: 2, height: 20, width: 21, flipped: false),
                          crop2: CropBox(top: 3, left: 0, height: 28, width: 14, flipped: true),
                          sourceId: 4000 + step, wallTime: 1.7e9 + Double(step))
}
