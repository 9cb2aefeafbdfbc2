import Foundation
@testable import MetricsStore
import RunCore
import Testing

/// Data-safety cases that need a prepared store, a signal or a held lock, through the real `siamon` binary:
/// a store that already holds an out-of-range step still opens and names the damaged run; Ctrl-C and SIGTERM
/// end the probe (alone and after `train --probe`) and an import with 130/143 and write nothing; a database
/// locked by another writer says what to do.
@Suite("Data safety through the siamon CLI", .serialized)
struct DataSafetyE2ETests {
    static let fmnist = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

    static func scratch(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siamon-safety-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }

    @Test func aStoreHoldingAnOutOfRangeStepOpensAndNamesTheRun() throws {
        let dir = try Self.scratch("damaged")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.appendingPathComponent("runs").path, csv = dir.appendingPathComponent("ok.csv")
        try Self.write("step,wall_time,loss\n1,1,1.0\n2,1,2.0\n", to: csv)
        for name in ["bad", "good"] {
            #expect(try CLIRunner.run(["import", csv.path, "--name", name, "--runs", runs]).status == 0)
        }
        // What an importer without the range check stored: step 2^63-1 in the rows and the summaries.
        let db = try MetricsDatabase(path: runs + "/siamon.sqlite")
        try db.with { c in
            for table in ["scalar", "latest"] {
                try c.exec("UPDATE \(table) SET step = 9223372036854775807 WHERE step = 2 AND runId = (SELECT id FROM run WHERE name = 'bad')")
            }
        }
        db.close()
        let list = try CLIRunner.run(["runs", "--runs", runs])
        #expect(list.status == 0, "runs: \(list.stderr)")
        #expect(list.stderr.hasPrefix("warning: run 'bad' holds step 9223372036854775807, outside 0 to 2^53-1"), "\(list.stderr)")
        #expect(list.stdout.contains("good"))
        let compare = try CLIRunner.run(["compare", "bad", "good", "--print", "--runs", runs])
        #expect(compare.status == 0, "compare: \(compare.stderr)")
        #expect(try CLIRunner.run(["export", "bad", "--runs", runs]).status == 0)
        #expect(try CLIRunner.run(["import", csv.path, "--name", "third", "--runs", runs]).status == 0)
    }

    /// Starts `args`, waits until `ready` holds (or 120 s), sends `signal`, and returns the result.
    static func interrupt(_ args: [String], signal: Int32 = SIGINT, ready: () -> Bool) throws -> CLIRunner.Result {
        let child = try CLIRunner.start(args)
        let deadline = Date().addingTimeInterval(120)
        while !ready() && Date() < deadline && waitpid(child.pid, nil, WNOHANG) == 0 { usleep(50_000) }
        kill(child.pid, signal)
        return CLIRunner.wait(child, timeout: 60)
    }

    static func status(_ runs: String, _ name: String) -> RunStatus? {
        guard let db = try? MetricsDatabase(path: runs + "/siamon.sqlite", mode: .readOnly) else { return nil }
        defer { db.close() }
        return (try? db.runs())?.first { $0.name == name }?.status
    }

    static func probes(_ runs: String) throws -> Int {
        let db = try MetricsDatabase(path: runs + "/siamon.sqlite", mode: .readOnly)
        defer { db.close() }
        return try db.probes(runIds: db.runs().map(\.id)).count
    }

    @Test func ctrlCDuringTheFinalProbeOfTrainExits130AndRecordsNothing() throws {
        guard FileManager.default.fileExists(atPath: Self.fmnist) else { print("skipped: no \(Self.fmnist)"); return }
        let dir = try Self.scratch("train-probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.path
        let r = try Self.interrupt(["train", "--headless", "--preset", "smoke", "--set", "train.steps=2",
                                    "--set", "train.checkpoint_every=0", "--name", "p", "--probe", "--runs", runs]) {
            Self.status(runs, "p") == .done
        }
        #expect(!r.timedOut && r.seconds < 60, "took \(r.seconds) s")
        #expect(r.status == 130, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: probe: interrupted during ") && r.stderr.hasSuffix("; nothing was recorded\n"), "\(r.stderr)")
        #expect(try Self.probes(runs) == 0)
    }

    @Test func sigtermDuringProbeExits143() throws {
        guard FileManager.default.fileExists(atPath: Self.fmnist) else { print("skipped: no \(Self.fmnist)"); return }
        let dir = try Self.scratch("probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.path
        let train = try CLIRunner.run(["train", "--headless", "--preset", "smoke", "--set", "train.steps=2",
                                       "--set", "train.checkpoint_every=2", "--name", "p", "--runs", runs])
        #expect(train.status == 0, "\(train.stderr)")
        let start = Date()
        let r = try Self.interrupt(["probe", "p", "--runs", runs], signal: SIGTERM) { Date().timeIntervalSince(start) > 2 }
        #expect(r.status == 143, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: probe: interrupted during "), "\(r.stderr)")
        #expect(try Self.probes(runs) == 0)
    }

    @Test func ctrlCDuringABigImportWritesNothing() throws {
        let dir = try Self.scratch("import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("big.csv"), runs = dir.appendingPathComponent("runs").path
        var text = "step,wall_time,loss,lr\n"
        for i in 0..<400_000 { text += "\(i),\(i).5,\(Double(i) * 1e-3),0.001\n" }
        try Self.write(text, to: csv)
        #expect(try CLIRunner.run(["import", dir.appendingPathComponent("missing.csv").path, "--name", "x", "--runs", runs]).status == 1)
        let start = Date()
        let r = try Self.interrupt(["import", csv.path, "--name", "big", "--runs", runs]) { Date().timeIntervalSince(start) > 0.3 }
        #expect(r.status == 130, "exit \(r.status): \(r.stderr) after \(r.seconds) s")
        #expect(r.stderr.contains("interrupted; nothing was imported"), "\(r.stderr)")
        if FileManager.default.fileExists(atPath: runs + "/siamon.sqlite") {
            let db = try MetricsDatabase(path: runs + "/siamon.sqlite", mode: .readOnly)
            defer { db.close() }
            #expect(try db.runs().isEmpty)
        }
    }

    @Test func dumpStepStillCreatesItsFolderAndExportReplacesItsOwnFile() throws {
        let dir = try Self.scratch("outputs")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("new/dump").path
        for _ in 0..<2 {
            let r = try CLIRunner.run(["dump-step", "--preset", "smoke", "--set", "data.source=synthetic", "--out", out],
                                      environment: ["SIAMON_RUNS": dir.appendingPathComponent("runs").path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == ["weights.safetensors", "batch.safetensors", "result.safetensors"])
        let runs = dir.appendingPathComponent("runs").path, csv = dir.appendingPathComponent("g.csv").path
        #expect(try CLIRunner.run(["import", BadInputCLITests.cli.appendingPathComponent("logs/good.txt").path, "--name", "g", "--runs", runs]).status == 0)
        try Self.write("old\n", to: URL(fileURLWithPath: csv))
        #expect(try CLIRunner.run(["export", "g", "--out", csv, "--runs", runs]).status == 0)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("step,wall_time,"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp.") }.isEmpty)
    }

    @Test func aLockedDatabaseSaysWhatToDo() throws {
        let dir = try Self.scratch("locked")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.path, log = BadInputCLITests.cli.appendingPathComponent("logs/good.txt").path
        #expect(try CLIRunner.run(["import", log, "--name", "a", "--runs", runs]).status == 0)
        let db = try MetricsDatabase(path: runs + "/siamon.sqlite")
        defer { db.close() }
        try db.createRun(name: "holder", preset: "", configJSON: "{}", source: .siamon)   // this process, running
        try db.with { c in try c.exec("BEGIN IMMEDIATE") }
        let r = try CLIRunner.run(["import", log, "--name", "b", "--runs", runs], timeout: 60)
        try db.with { c in try c.exec("ROLLBACK") }
        #expect(r.status == 1)
        let holder = "live writers: run 'holder' (pid \(getpid()) on \(storeHostName))"
        #expect(r.stderr.contains("database is locked: another process (\(holder)) held its write lock for over 10 s"), "\(r.stderr)")
        #expect(r.stderr.contains("wait for that writer to finish and retry"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}
