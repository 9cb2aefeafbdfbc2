import Foundation
import RunCore
import Testing
@testable import MetricsStore

/// python/siamon_log.py against the system python3 (no PyPI packages).
@Suite("MetricsStore python shim", .serialized)
struct PythonShimTests {
    @Test("python3 and the shim exist (the shim tests must not pass vacuously)")
    func prerequisites() {
        #expect(FileManager.default.isExecutableFile(atPath: python3), "\(python3) is missing; it is part of the image")
        #expect(FileManager.default.fileExists(atPath: shimPath))
    }

    @Test("a python run logged live is read concurrently by a Swift reader and by `siamon runs`, with every row, the same schema and pyramid")
    func liveRun() throws {
        let t = TempDir("py")
        let steps = 400
        let child = try ChildProcess([python3, shimPath, t.path, "py-live", String(steps), "0.005"], outputPath: t.file("py.out"))
        let siamon = try #require(builtProduct("siamon"), "build siamon first (swift build)")
        var midRun: String?
        // Read while it writes: wait for the file, then poll until the child exits.
        var polls = 0, seenRows = 0
        var poller: StorePoller?
        var reader: MetricsDatabase?
        let deadline = Date(timeIntervalSinceNow: 60)
        while !child.hasExited() && Date() < deadline {
            if reader == nil, FileManager.default.fileExists(atPath: t.db),
               let r = try? MetricsDatabase(path: t.db, mode: .readOnly), (try? r.runs().count) == 1 {
                reader = r
                poller = try StorePoller(database: r, fromStart: true)
                // `siamon runs` in a third process while python is still writing.
                let list = try ChildProcess([siamon, "runs", "--runs", t.path], outputPath: t.file("runs-mid.out"))
                #expect(list.wait() == 0)
                midRun = list.output
            }
            if let p = poller, let u = try p.poll() { seenRows += u.scalars.count; polls += 1 }
            usleep(20_000)
        }
        #expect(child.wait() == 0, "python failed: \(child.output)")
        let r = try #require(reader)
        if let p = poller, let u = try p.poll() { seenRows += u.scalars.count }
        #expect(polls >= 2, "the reader never saw the run grow (\(polls) polls)")
        #expect(midRun?.contains("py-live") == true && midRun?.contains("running") == true, "mid-run `siamon runs`: \(midRun ?? "never ran")")
        #expect(seenRows == steps * 5, "poller saw \(seenRows) rows")

        #expect(try r.schemaSQL().joined(separator: ";\n") + ";\n" == readAll(schemaSnapshotPath))
        let run = try r.run(named: "py-live")
        #expect(run.status == .done && run.source == .pytorch && run.steps == steps)
        let id = run.id
        let loss = try r.points(runId: id, key: "loss")
        #expect(loss.count == steps)
        #expect(loss.enumerated().allSatisfy { i, p in p.step == i && p.value == 2.5 * Foundation.exp(-Double(i) / 100) })
        #expect(try r.points(runId: id, key: "grad_norm")[3].value.isNaN)
        #expect(try r.points(runId: id, key: "spike")[5].value == .infinity)
        #expect(try r.events(runId: id).filter { $0.kind == "probe" }.count == 8)
        // The python-maintained pyramid gives exactly what brute force gives.
        let spike = try r.points(runId: id, key: "spike").map { ($0.step, $0.value) }
        SeriesTests.check(try r.series(runId: id, key: "spike", columns: 20), raw: spike, range: 0...(steps - 1), columns: 20)

        let list = try ChildProcess([siamon, "runs", "--runs", t.path], outputPath: t.file("runs.out"))
        #expect(list.wait() == 0)
        #expect(list.output.contains("py-live") && list.output.contains("done") && list.output.contains("pytorch"), "\(list.output)")
    }

    @Test("the shim's own unit tests (python/test_siamon_log.py) pass under the system python3")
    func pythonUnitTests() throws {
        let t = TempDir("py")
        let tests = URL(fileURLWithPath: shimPath).deletingLastPathComponent().appendingPathComponent("test_siamon_log.py").path
        let child = try ChildProcess([python3, "-B", "-m", "unittest", "-v", tests], outputPath: t.file("unittest.out"))
        #expect(child.wait() == 0, "\(child.output)")
        #expect(child.output.contains("Ran 6 tests") && child.output.contains("OK"), "\(child.output)")
    }

    /// Pause, resume, LR scale, stop, checkpoint and probe through the command table, on an engine-shaped
    /// script under python/siamon_run.py with a fake torch (two fake ranks included), plus exactly-once claiming,
    /// expiry after kill -9, the SummaryWriter drop-in, and `siamon ctl` when the build has it. Prints the
    /// command-to-applied latency.
    @Test("the command channel, launcher and SummaryWriter tests (python/test_siamon_run.py) pass without torch")
    func pythonControlTests() throws {
        let t = TempDir("py")
        let tests = URL(fileURLWithPath: shimPath).deletingLastPathComponent().appendingPathComponent("test_siamon_run.py").path
        // With the built siamon, one test steers a launched run through `siamon ctl` as well.
        let env = builtProduct("siamon").map { ["SIAMON_BIN": $0] } ?? [:]
        let child = try ChildProcess([python3, "-B", "-m", "unittest", "-v", tests], environment: env, outputPath: t.file("unittest.out"))
        #expect(child.wait() == 0, "\(child.output)")
        #expect(child.output.contains("Ran 19 tests") && child.output.contains("OK"), "\(child.output)")
    }

    @Test("ranks other than 0 write nothing")
    func rankGuard() throws {
        let t = TempDir("py")
        let child = try ChildProcess([python3, shimPath, t.path, "r1", "10"], environment: ["RANK": "1"], outputPath: t.file("o"))
        #expect(child.wait() == 0, "\(child.output)")
        #expect(!FileManager.default.fileExists(atPath: t.db))
    }

    @Test("the shim refuses a schema newer than it knows, and bad names")
    func refusals() throws {
        let t = TempDir("py")
        let db = try MetricsDatabase(path: t.db)
        try db.with { c in try c.exec("INSERT INTO migrations VALUES ('2099-01-01 v9 future', 0)") }
        db.close()
        let child = try ChildProcess([python3, shimPath, t.path, "r1", "10"], outputPath: t.file("o"))
        #expect(child.wait() != 0)
        #expect(child.output.contains("SchemaError") && child.output.contains("2099-01-01 v9 future"), "\(child.output)")
        let t2 = TempDir("py")
        let bad = try ChildProcess([python3, shimPath, t2.path, "../x", "10"], outputPath: t2.file("o"))
        #expect(bad.wait() != 0)
        #expect(bad.output.contains("run name \"../x\" contains '/'"), "\(bad.output)")
    }

    /// The shim writes runs into the same store as siamon, so it refuses a bad name with siamon's own line: every
    /// name of the bad-input manifest, NUL included (passed inside Python, since argv cannot hold it).
    @Test("the shim refuses each bad run name with the line siamon gives")
    func badRunNamesGetSiamonsLine() throws {
        let t = TempDir("py")
        let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bad/runnames.json")
        let cases = try JSONDecoder().decode([[String: String]].self, from: Data(contentsOf: manifest))
        let script = """
            import json, os, sys
            sys.path.insert(0, os.path.dirname(sys.argv[1]))
            import siamon_log
            for c in json.load(open(sys.argv[2])):
                try:
                    siamon_log.Run(sys.argv[3], c["name"])
                    print(json.dumps("accepted"))
                except ValueError as e:
                    print(json.dumps(str(e)))
            """
        let child = try ChildProcess([python3, "-c", script, shimPath, manifest.path, t.path], outputPath: t.file("o"))
        #expect(child.wait() == 0, "\(child.output)")
        let lines = child.output.split(separator: "\n").map { (try? JSONDecoder().decode(String.self, from: Data($0.utf8))) ?? String($0) }
        #expect(lines == cases.map { $0["expected"]! })
        #expect(!FileManager.default.fileExists(atPath: t.db), "a refused name must not create the database")
    }
}
