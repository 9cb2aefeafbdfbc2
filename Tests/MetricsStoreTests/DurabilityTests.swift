import Foundation
import Synchronization
import RunCore
import Testing
import SiamTrain
@testable import MetricsStore

/// The store's durability goals (docs/store.md): concurrent writers and readers, and kill -9 of a writer.
/// Durations: SIAMON_SOAK_SECONDS (default 8; a 60 s run is recorded in docs/benchmarks-history.md,
/// "Metrics store") and SIAMON_KILL_ROUNDS (default 20).
@Suite("MetricsStore durability", .serialized)
struct DurabilityTests {
    static var soakSeconds: Double { Double(ProcessInfo.processInfo.environment["SIAMON_SOAK_SECONDS"] ?? "") ?? 8 }
    static var killRounds: Int { Int(ProcessInfo.processInfo.environment["SIAMON_KILL_ROUNDS"] ?? "") ?? 20 }

    @Test("4 writer threads + 2 readers (one in another process): no lock error, every written row read back")
    func soak() throws {
        let t = TempDir("soak")
        let siamon = try #require(builtProduct("siamon"), "build siamon first (swift build)")
        let setup = try MetricsDatabase(path: t.db)
        let ids = try (0..<4).map { try setup.createRun(name: "w\($0)", preset: "", configJSON: "{}", source: .siamon) }
        let other = try ChildProcess([siamon, "store-child", "--read", "--db", t.db, "--runs", "4",
                                      "--seconds", String(Self.soakSeconds + 120)], outputPath: t.file("reader.out"))
        let written = Mutex([Int](repeating: 0, count: 4))
        let writerErrors = Mutex([String]())
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for (i, id) in ids.enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let w = try StoreWriter(path: t.db, runId: id)
                    var s = 0
                    while !stop.load(ordering: .relaxed) {
                        w.record(report(s)); s += 1
                        if s % 100 == 0 { w.event(step: s, .lrScale(RunEvent.LRScale(factor: 1, scale: 1))) }
                        if s % 250 == 0 { w.snapshot(sampleSnapshot(step: s)) }
                        usleep(200)
                    }
                    try w.finish(status: .done)
                    if let e = w.lastError { writerErrors.withLock { $0.append(e) } }
                    written.withLock { $0[i] = s }
                } catch { writerErrors.withLock { $0.append("\(error)") } }
            }
        }
        // The in-process reader: a poller plus the chart and run-list queries the TUI makes.
        let reader = try MetricsDatabase(path: t.db, mode: .readOnly)
        let poller = try StorePoller(database: reader, fromStart: true)
        var seen = 0, readerErrors: [String] = [], polls = 0
        let end = Date(timeIntervalSinceNow: Self.soakSeconds)
        while Date() < end {
            do {
                if let u = try poller.poll() { seen += u.scalars.count; polls += 1 }
                _ = try reader.runs()
                _ = try reader.series(runId: ids[polls % 4], key: "loss", columns: 200)
            } catch { readerErrors.append("\(error)") }
            usleep(50_000)
        }
        stop.store(true, ordering: .relaxed)
        group.wait()
        while let u = try poller.poll() { seen += u.scalars.count; if !u.more { break } }
        let totals = written.withLock { $0 }
        let expected = totals.reduce(0, +) * 9
        #expect(writerErrors.withLock { $0 }.isEmpty, "\(writerErrors.withLock { $0 })")
        #expect(readerErrors.isEmpty, "\(readerErrors.prefix(3))")
        #expect(totals.allSatisfy { $0 > 100 }, "writers wrote too little: \(totals)")
        #expect(seen == expected, "in-process reader saw \(seen) of \(expected) rows")
        for (i, id) in ids.enumerated() { #expect(try reader.points(runId: id, key: "loss").count == totals[i]) }
        #expect(other.wait() == 0)
        #expect(other.output.hasPrefix("rows=\(expected) "), "other process: \(other.output)")
        #expect(other.output.contains("errors=0"), "other process: \(other.output)")
        #expect(try reader.integrityCheck() == "ok")
        print("soak: \(Self.soakSeconds) s, \(expected) rows by 4 writers, \(polls) polls")
    }

    @Test("kill -9 of a writing process at random moments: file checks ok, run marked interrupted, no committed row lost")
    func killNine() throws {
        let t = TempDir("kill")
        let siamon = try #require(builtProduct("siamon"), "build siamon first (swift build)")
        var rng = SplitMix(seed: UInt64(Date().timeIntervalSince1970))
        var withCommits = 0
        for round in 0..<Self.killRounds {
            let side = t.file("side\(round)")
            let child = try ChildProcess([siamon, "store-child", "--write", "--db", t.db, "--name", "k\(round)",
                                          "--side", side], outputPath: t.file("child\(round).out"))
            // Odd rounds: 30-500 ms after spawn (start-up, run creation, first batches). Even rounds: 0-300 ms
            // after the first commit, so at least half the rounds kill a writer with committed rows, mid-batch
            // or mid-commit, however slow the machine is.
            if round % 2 == 0 {
                let until = Date(timeIntervalSinceNow: 20)
                while !FileManager.default.fileExists(atPath: side) && Date() < until && !child.hasExited() { usleep(5_000) }
                usleep(UInt32(rng.next() % 300_000))
            } else {
                usleep(UInt32(30_000 + rng.next() % 470_000))
            }
            child.kill(SIGKILL)
            #expect(child.wait() == 128 + SIGKILL, "round \(round): child exited on its own: \(child.output)")
            let committed = Int(readAll(side).trimmingCharacters(in: .whitespacesAndNewlines))
            let db = try MetricsDatabase(path: t.db)                  // the "next open" marks vanished writers
            #expect(try db.integrityCheck() == "ok", "round \(round)")
            guard let run = try db.runs().first(where: { $0.name == "k\(round)" }) else {
                #expect(committed == nil, "round \(round): a commit was reported but the run is missing"); continue
            }
            #expect(run.status == .interrupted, "round \(round): status \(run.status)")
            if let c = committed {
                withCommits += 1
                let steps = try db.points(runId: run.id, key: "loss").map(\.step)
                #expect(steps.count >= c + 1 && Array(steps.prefix(c + 1)) == Array(0...c),
                        "round \(round): committed through step \(c) but \(steps.count) rows")
                #expect(try db.events(runId: run.id).contains { $0.kind == "crash-detected" })
            }
            db.close()
        }
        #expect(withCommits >= Self.killRounds / 2, "too few rounds reached a commit (\(withCommits)); the kill test is not testing much")
    }
}
