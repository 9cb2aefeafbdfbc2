import Foundation
import RunCore
import Testing
@testable import MetricsStore
import SiamTrain

@Suite("MetricsStore schema and opening")
struct SchemaTests {
    @Test("migrated schema equals the committed snapshot (a shipped migration was edited otherwise)")
    func schemaSnapshot() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let actual = try db.schemaSQL().joined(separator: ";\n") + ";\n"
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try actual.write(toFile: schemaSnapshotPath, atomically: true, encoding: .utf8)
        }
        let expected = readAll(schemaSnapshotPath)
        #expect(!expected.isEmpty, "missing \(schemaSnapshotPath); record it with RECORD_SNAPSHOTS=1 after review")
        #expect(actual == expected, "schema changed: append a new migration instead of editing a shipped one")
        #expect(try db.appliedMigrations() == Schema.migrations.map(\.name))
    }

    @Test("reopening migrates nothing twice and keeps data")
    func reopen() throws {
        let t = TempDir()
        let id = try MetricsDatabase(path: t.db).createRun(name: "a", preset: "p", configJSON: "{}", source: .siamon)
        let db = try MetricsDatabase(path: t.db)
        #expect(try db.appliedMigrations().count == Schema.migrations.count)
        #expect(try db.runId(named: "a") == id)
        #expect(db.journalMode == .wal)
    }

    @Test("SQLite stores a bound NaN as NULL; our reads turn NULL back into NaN, and ±Inf stay REAL")
    func nanEncoding() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let types: [String] = try db.with { c in
            try c.exec("CREATE TEMP TABLE probeNaN (v REAL)")
            let ins = try c.statement("INSERT INTO probeNaN VALUES (?)")
            for v in [Double.nan, .infinity, -.infinity, 1.5] {
                // Raw C binding, bypassing our NaN→NULL mapping, to observe what SQLite itself does.
                ins.reset(); ins.bindDoubleUnmapped(v, at: 1); try ins.run()
            }
            var out: [String] = []
            try c.rows("SELECT typeof(v) FROM probeNaN ORDER BY rowid") { s in out.append(s.text(0)) }
            return out
        }
        #expect(types == ["null", "real", "real", "real"])
    }

    @Test("not a SQLite file gives a one-line error")
    func notADatabase() throws {
        let t = TempDir()
        try "hello, this is text\n".write(toFile: t.db, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.notADatabase(path: t.db)) { try MetricsDatabase(path: t.db) }
    }

    @Test("a truncated file is reported as truncated")
    func truncated() throws {
        let t = TempDir()
        do {
            let db = try MetricsDatabase(path: t.db, environment: ["SIAMON_JOURNAL": "delete"])
            let id = try db.createRun(name: "big", preset: "", configJSON: String(repeating: "x", count: 100_000), source: .siamon)
            _ = id
            db.close()
        }
        let size = try FileManager.default.attributesOfItem(atPath: t.db)[.size] as! Int
        let h = FileHandle(forWritingAtPath: t.db)!
        try h.truncate(atOffset: UInt64(size / 2)); try h.close()
        do {
            _ = try MetricsDatabase(path: t.db)
            Issue.record("opening a truncated file succeeded")
        } catch let e as StoreError {
            guard case .truncated = e else { Issue.record("wrong error: \(e)"); return }
            #expect(!e.description.contains("\n"))
        }
    }

    @Test("a schema newer than this build is refused, read-write and read-only")
    func newerSchema() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        try db.with { c in try c.exec("INSERT INTO migrations VALUES ('2099-01-01 v9 future', 0)") }
        db.close()
        let expected = StoreError.newerSchema(path: t.db, migration: "2099-01-01 v9 future")
        #expect(throws: expected) { try MetricsDatabase(path: t.db) }
        #expect(throws: expected) { try MetricsDatabase(path: t.db, mode: .readOnly) }
    }

    @Test("a read-only file refuses read-write opening but serves read-only watchers")
    func readOnlyFile() throws {
        guard getuid() != 0 else {
            // root ignores file permissions; check the same path through SQLITE_OPEN_READONLY instead.
            let t = TempDir()
            let id = try MetricsDatabase(path: t.db).createRun(name: "r", preset: "", configJSON: "{}", source: .siamon)
            let ro = try MetricsDatabase(path: t.db, mode: .readOnly)
            #expect(try ro.runId(named: "r") == id)
            #expect(throws: StoreError.readOnly(path: t.db)) { try ro.setStatus(runId: id, .done) }
            return
        }
        let t = TempDir()
        _ = try MetricsDatabase(path: t.db, environment: ["SIAMON_JOURNAL": "delete"]).createRun(name: "r", preset: "", configJSON: "{}", source: .siamon)
        chmod(t.db, 0o444)
        #expect(throws: StoreError.readOnly(path: t.db)) { try MetricsDatabase(path: t.db) }
        #expect(try MetricsDatabase(path: t.db, mode: .readOnly).runs().count == 1)
    }

    @Test("filesystem types: network and FUSE filesystems fall back to a rollback journal")
    func filesystems() throws {
        for fs in ["nfs", "nfs4", "cifs", "smb3", "fuse.sshfs", "fuseblk", "9p", "lustre", "virtiofs", "ceph"] {
            #expect(FileSystemCheck.isUnsafe(type: fs), "\(fs)")
        }
        for fs in ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs"] { #expect(!FileSystemCheck.isUnsafe(type: fs), "\(fs)") }
        let table = "/dev/sda1 / ext4 rw 0 0\nserver:/export /mnt/nfs nfs4 rw 0 0\nsshfs#x /mnt/nfs/deep fuse.sshfs rw 0 0\n"
        #expect(FileSystemCheck.filesystemType(of: "/mnt/nfs/runs", mountTable: table) == "nfs4")
        #expect(FileSystemCheck.filesystemType(of: "/mnt/nfs/deep/runs", mountTable: table) == "fuse.sshfs")
        #expect(FileSystemCheck.filesystemType(of: "/mnt/nfsx/runs", mountTable: table) == "ext4")
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db, environment: ["SIAMON_JOURNAL": "delete"])
        #expect(db.journalMode == .delete)
        #expect(db.warning?.contains("rollback journal") == true)
        let mode: String = try db.with { c in var m = ""; try c.rows("PRAGMA journal_mode") { m = $0.text(0) }; return m }
        #expect(mode == "delete")
    }

    @Test("run names: bad ones and duplicates are one-line errors", arguments: ["../x", "/abs", "a\u{0}b", "", String(repeating: "a", count: 65), "a b", "..", "ü"])
    func badNames(name: String) throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        #expect(throws: RunNameError.self) { try db.createRun(name: name, preset: "", configJSON: "{}", source: .siamon) }
        do { try RunName.validate(name) } catch { #expect(!"\(error)".contains("\n")) }
    }

    /// One validator for every way a run is named: the store (train, the TUI, the Python shim's database) and
    /// `siamon import` refuse each name of the bad-input manifest with the line `siamon train` gives.
    @Test("the store and import refuse a bad run name with the same line as train")
    func badNamesGetTrainsLine() throws {
        let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bad/runnames.json")
        let cases = try JSONDecoder().decode([[String: String]].self, from: Data(contentsOf: manifest))
        #expect(cases.count >= 9)
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        let log = t.file("log.txt")
        try "{\"train_loss\": 1.0, \"epoch\": 0}\n".write(toFile: log, atomically: true, encoding: .utf8)
        func line(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "accepted" } catch { return "\(error)" }
        }
        for c in cases {
            let name = c["name"]!, expected = c["expected"]!
            #expect(line { try db.createRun(name: name, preset: "", configJSON: "{}", source: .siamon) } == expected)
            #expect(line { try Importer.importFile(log, name: name, into: db) } == expected)
        }
        #expect(try db.runs().isEmpty)
    }

    @Test("duplicate run names are refused; good names pass")
    func duplicates() throws {
        let t = TempDir()
        let db = try MetricsDatabase(path: t.db)
        try db.createRun(name: "fmnist-tiny_2026.11.26", preset: "", configJSON: "{}", source: .siamon)
        try db.createRun(name: String(repeating: "z", count: 64), preset: "", configJSON: "{}", source: .siamon)
        #expect(throws: StoreError.duplicateRun(name: "fmnist-tiny_2026.11.26")) {
            try db.createRun(name: "fmnist-tiny_2026.11.26", preset: "", configJSON: "{}", source: .pytorch)
        }
    }
}
