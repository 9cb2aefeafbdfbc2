import ArgumentParser
import Foundation
import MetricsStore
import RunCore
import SiamTrain

/// Hidden helper process for the store's durability tests (not for users):
/// - `--write`: creates run NAME and records StepReports through a StoreWriter until killed or `--steps`
///   are done; after every commit it records the highest committed step in `--side` (write + rename).
/// - `--read`: polls the database as a second-process reader until every run is finished (or `--seconds`
///   pass) and prints `rows=<scalars seen> events=<n> errors=<n>`.
struct StoreChild: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store-child", abstract: "Store test helper.",
                                                    shouldDisplay: false)

    @Option var db: String
    @Flag var write = false
    @Flag var read = false
    @Option var name = "child"
    @Option var steps = Int.max
    @Option var side: String?
    @Option(help: "Microseconds between reports.") var interval: UInt32 = 100
    @Option var seconds: Double = 600
    @Option(help: "With --read: wait until this many runs exist and are finished.") var runs = 1

    func run() throws {
        if write { try writeLoop() } else if read { try readLoop() } else { throw ValidationError("pass --write or --read") }
    }

    private func writeLoop() throws {
        let database = try MetricsDatabase(path: db)
        let id = try database.createRun(name: name, preset: "store-child", configJSON: "{}", source: .siamon)
        var o = StoreWriter.Options()
        if let side {
            o.onCommit = { step in
                guard let step else { return }
                let tmp = side + ".tmp"
                try? "\(step)\n".write(toFile: tmp, atomically: false, encoding: .utf8)
                rename(tmp, side)
            }
        }
        let w = try StoreWriter(path: db, runId: id, options: o)
        var s = 0
        while s < steps {
            let t = Double(s)
            w.record(StepReport(step: s, epoch: t / 1000, loss: 2.5 / (1 + t * 1e-3), lossPos: t, lossNeg: -t,
                                learningRate: 1e-3, emaMomentum: 0.995, gradNorm: 1, seconds: 1e-4,
                                imagesPerSecond: 1e4, wallTime: Date().timeIntervalSince1970))
            if s % 500 == 0 { w.event(step: s, .checkpoint(RunEvent.CheckpointSaved(path: "checkpoint-\(s).safetensors"))) }
            s += 1
            if interval > 0 { usleep(interval) }
        }
        try w.finish(status: .done)
    }

    private func readLoop() throws {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !FileManager.default.fileExists(atPath: db) && Date() < deadline { usleep(10_000) }
        let database = try MetricsDatabase(path: db, mode: .readOnly)
        let poller = try StorePoller(database: database, fromStart: true)
        var rows = 0, events = 0, errors = 0
        var lastError = ""
        while Date() < deadline {
            do {
                if let u = try poller.poll() { rows += u.scalars.count; events += u.events.count; if u.more { continue } }
                let all = try database.runs()
                if all.count >= runs && all.allSatisfy({ !$0.status.isLive }) {
                    if let u = try poller.poll() { rows += u.scalars.count; events += u.events.count; if u.more { continue } }
                    break
                }
            } catch {
                errors += 1; lastError = "\(error)"
            }
            usleep(20_000)
        }
        print("rows=\(rows) events=\(events) errors=\(errors) \(lastError)")
    }
}
