import ArgumentParser
import Foundation
import MetricsStore
import RunCore
import SiamTrain

/// Hidden: the metrics-store benchmarks (docs/benchmarks-history.md, "Metrics store"). Run on a release build:
/// `siamon store-bench --dir /tmp/sb` (ingest + logging cost), then `siamon store-bench --dir /tmp/sb --read`
/// in a fresh process (chart query time and the reader's peak RSS).
struct StoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store-bench", abstract: "Metrics store benchmarks.",
                                                    shouldDisplay: false)

    @Option var dir: String
    @Flag var read = false
    @Option(help: "Lines of the bulk-import file (9 scalars each).") var lines = 200_000
    @Option(help: "Points of the chart series.") var points = 1_000_000

    func run() throws {
        let db = dir + "/siamon.sqlite"
        if read { try readBench(db); return }
        try OwnedFiles.refuseRunsFolder(dir, flag: "--dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: db)
        try importBench(db)
        try seriesFill(db)
        try loggingBench(db)
    }

    private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    private func importBench(_ db: String) throws {
        let file = dir + "/steps.jsonl"
        let out = FileManager.default.createFile(atPath: file, contents: nil)
        precondition(out)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        var chunk = ""
        for s in 0..<lines {
            let t = Double(s)
            chunk += StepsJSONL.line(StepReport(step: s, epoch: t / 234, loss: 2.5 / (1 + t * 1e-3), lossPos: 1 + sin(t),
                                                lossNeg: -cos(t), learningRate: 1e-3 * t / Double(lines), emaMomentum: 0.995,
                                                gradNorm: 1 / (1 + t), seconds: 0.5, imagesPerSecond: 512, wallTime: 1.7e9 + t)) + "\n"
            if chunk.utf8.count > 1 << 20 { h.write(Data(chunk.utf8)); chunk = "" }
        }
        h.write(Data(chunk.utf8)); try h.close()
        let database = try MetricsDatabase(path: db)
        let t0 = now(), c0 = cpuSeconds()
        let r = try Importer.importFile(file, name: "bulk", into: database)
        let dt = now() - t0, cpu = cpuSeconds() - c0
        print(String(format: "bulk import: %d lines, %d scalars in %.3f s wall = %.0f scalars/s; %.3f s CPU = %.0f scalars per CPU-second (load average %@)",
                     r.rows, r.scalars, dt, Double(r.scalars) / dt, cpu, Double(r.scalars) / cpu, loadAverage()))
    }

    /// A run with one `points`-long series for the chart query (written through the same insert path).
    private func seriesFill(_ db: String) throws {
        let file = dir + "/series.csv"
        var text = "step,wall_time,loss\n"
        text.reserveCapacity(points * 24)
        for s in 0..<points { text += "\(s),,\(2.5 / (1 + Double(s) * 1e-4) + (s % 9973 == 0 ? 5 : 0.01 * sin(Double(s))))\n" }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        let database = try MetricsDatabase(path: db)
        let t0 = now()
        let r = try Importer.importFile(file, name: "million", into: database)
        let dt = now() - t0
        print(String(format: "series fill: %d points (csv import) in %.3f s = %.0f scalars/s", r.scalars, dt, Double(r.scalars) / dt))
    }

    private func loggingBench(_ db: String) throws {
        let database = try MetricsDatabase(path: db)
        let id = try database.createRun(name: "live", preset: "", configJSON: "{}", source: .siamon)
        let w = try StoreWriter(path: db, runId: id)
        // Realistic cadence: one StepReport per commit (steps take 0.5-1 s, commits come every ≤100 ms).
        let n = 300
        var recordNs = 0.0
        for s in 0..<n {
            let r = StepReport(step: s, epoch: 0, loss: 1, lossPos: 1, lossNeg: 1, learningRate: 1, emaMomentum: 1,
                               gradNorm: 1, seconds: 0.5, imagesPerSecond: 1, wallTime: 1.7e9)
            let t0 = now(); w.record(r); recordNs += (now() - t0) * 1e9
            w.flush()
        }
        let perCommit = w.commitSeconds / Double(w.commits) * 1e6
        // Bulk cadence: 20,000 reports as fast as record() takes them.
        let w2Commits = w.commits, w2Seconds = w.commitSeconds
        var burstNs = 0.0
        for s in n..<(n + 20_000) {
            let r = StepReport(step: s, epoch: 0, loss: 1, lossPos: 1, lossNeg: 1, learningRate: 1, emaMomentum: 1,
                               gradNorm: 1, seconds: 0.5, imagesPerSecond: 1, wallTime: 1.7e9)
            let t0 = now(); w.record(r); burstNs += (now() - t0) * 1e9
        }
        w.flush()
        let burstRate = 20_000.0 * 9 / (w.commitSeconds - w2Seconds)
        try w.finish(status: .done)
        print(String(format: "live logging: record() %.2f µs per StepReport on the training thread; writer thread %.0f µs per one-report commit (%d commits)",
                     recordNs / Double(n) / 1e3, perCommit, w2Commits))
        print(String(format: "live logging share of a 0.5 s step: %.4f%% (training thread), %.3f%% (writer thread, other core)",
                     recordNs / Double(n) / 1e9 / 0.5 * 100, perCommit / 1e6 / 0.5 * 100))
        print(String(format: "live logging burst: record() %.2f µs each for 20k reports; writer committed %.0f scalars/s",
                     burstNs / 20_000 / 1e3, burstRate))
    }

    private func readBench(_ db: String) throws {
        let rss0 = peakRSSKiB()
        let database = try MetricsDatabase(path: db, mode: .readOnly)
        let id = try database.runId(named: "million")
        var times: [Double] = []
        var cols: [ColumnBucket] = []
        for _ in 0..<21 {
            let t0 = now()
            cols = try database.series(runId: id, key: "loss", columns: 200)
            times.append(now() - t0)
        }
        let first = times[0]
        let warm = times.dropFirst().sorted()[10]
        var zoom: [Double] = []
        for i in 0..<20 {
            let a = 37_123 + i * 40_000
            let t0 = now(); _ = try database.series(runId: id, key: "loss", columns: 200, xRange: a...(a + 100_000)); zoom.append(now() - t0)
        }
        let spikes = cols.filter { $0.max > 4 }.count
        print(String(format: "series 1M→200 columns: first %.2f ms, median of 20 %.2f ms; zoomed 100k-step window median %.2f ms; %d columns, %d keep a spike; points %d",
                     first * 1e3, warm * 1e3, zoom.sorted()[10] * 1e3, cols.count, spikes, cols.map(\.count).reduce(0, +)))
        let t0 = now()
        let runs = try database.runs()
        print(String(format: "run list (%d runs): %.2f ms", runs.count, (now() - t0) * 1e3))
        print("peak RSS: \(peakRSSKiB() / 1024) MiB (at start \(rss0 / 1024) MiB)")
    }

    /// User + system CPU time of this process (the machine is shared, so wall time alone misleads).
    private func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
    }

    private func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    private func peakRSSKiB() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return u.ru_maxrss
    }
}
