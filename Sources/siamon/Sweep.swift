import ArgumentParser
import Foundation
import MetricsStore
import Runs
import SiamTrain
import TUI

/// `siamon train --sweep NAME`: every preset of the sweep (Sweeps), queued in the run engine, one or two at a
/// time, each probed at the end. In the TUI the queue shows in the run list; headless is the engine plus the
/// console: a line per run start and end, the probe results, and the Table 3 of the sweep.
struct SweepRun {
    let sweep: String
    let overrides: [String]
    let parallel: Int
    let probeLimit: Int?
    let headless: Bool
    let location: StoreLocationOptions

    func run() throws {
        guard parallel == 1 || parallel == 2 else {
            throw ValidationError("--parallel must be 1 or 2 (two trainers share the 2 cores), got \(parallel)")
        }
        if let n = probeLimit, n < 20 { throw ValidationError("--probe-limit must be at least 20 (kNN uses 20 neighbours), got \(n)") }
        let stamp = Sweeps.stamp()
        let members = try Sweeps.members(of: sweep)
        let queue = try RunEngine.queue(presets: members.map { ($0.preset, Sweeps.runName(sweep: sweep, row: $0.row, stamp: stamp)) },
                                         overrides: overrides)
        let policy = QueuePolicy(parallel: parallel, probe: true, probeLimit: probeLimit)
        if !headless && isatty(STDOUT_FILENO) != 0 {
            try TerminalApp.open(location: location, theme: nil, readOnly: false, queue: (queue, policy)) {
                $0.selectedRunId = queue.first?.name
            }
            return
        }
        try headlessRun(queue, policy: policy)
    }

    func headlessRun(_ queue: [QueuedRun], policy: QueuePolicy) throws {
        let db = try location.openForWriting()
        let path = db.path
        db.close()
        let engine = RunEngine(runsDirectory: URL(fileURLWithPath: location.directory), databasePath: path)
        print("sweep \(sweep): \(queue.count) runs (\(queue.map(\.preset).joined(separator: ", "))), \(parallel) at a time")
        engine.enqueue(queue, policy: policy)
        installInterruptHandlers()
        let t0 = Date()
        var interrupted = false
        while !engine.queueIdle {
            engine.poll()
            printLines(engine.notices.drain())
            if interruptRequested.load(ordering: .relaxed) { interrupted = true; break }
            usleep(100_000)
        }
        engine.poll()
        // Checkpoints live runs (Ctrl-C) and waits for the store work; what was lost is said.
        let problems = engine.shutdown(stopRunning: true, cancelProbes: interrupted)
        printLines(engine.notices.drain())
        for p in problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) }
        if interrupted { print("interrupted: live runs checkpointed and stopped; queued runs were not started") }
        print(String(format: "sweep %@ %@ after %.1f s", sweep, interrupted ? "interrupted" : "ended", Date().timeIntervalSince(t0)))
        let summaries = try tableRuns(queue.map(\.name))
        if !summaries.rows.isEmpty { print(Table3.text(summaries.rows)) }
        fflush(nil)   // the table before the error line when both go to one file
        if interrupted || summaries.notDone > 0 || summaries.rows.count < queue.count {
            throw CLIError("sweep \(sweep): \(queue.count - summaries.done) of \(queue.count) runs did not finish; see `siamon runs`")
        }
    }

    func tableRuns(_ names: [String]) throws -> (rows: [Table3.Row], done: Int, notDone: Int) {
        guard let db = try location.openForReading() else { return ([], 0, names.count) }
        defer { db.close() }
        let all = try db.runs()
        let chosen = names.compactMap { n in all.first { $0.name == n } }
        let done = chosen.filter { $0.status == .done }.count
        return (try Table3.rows(chosen, db: db), done, names.count - done)
    }

    func printLines(_ lines: [String]) {
        for m in lines { print(m) }
        fflush(nil)
    }
}
