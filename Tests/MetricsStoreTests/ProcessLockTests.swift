import Foundation
import RunCore
import Testing
import TestSupport
@testable import MetricsStore
import SiamTrain

/// Opening a second connection must not open()/close() the file for a header check: that drops every POSIX
/// lock this process holds on it, another process closing its connection then deletes the live -wal file, and
/// everything written afterwards is invisible to other processes.
@Suite struct ProcessLockTests {
    @Test func secondConnectionKeepsLocksSoOtherProcessesSeeNewRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("locks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("siamon.sqlite").path
        let a = try MetricsDatabase(path: path)
        let runId = try a.createRun(name: "locks", preset: "smoke", configJSON: "{}", source: .siamon)
        let b = try MetricsDatabase(path: path)      // the header check must not drop a's locks
        _ = b
        // Another process opens and closes the database: with our locks gone it would delete the -wal.
        let py = spawnAndWait("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('select count(*) from run').fetchall(); c.close()", path])
        #expect(py.status == 0, "python3: \(py.stderr)")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the live -wal file was deleted by another process")
        try a.addEvent(runId: runId, step: 7, .fork(RunEvent.Fork(child: "c")))
        let check = spawnAndWait("python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from event where step=7').fetchone()[0])", path])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "another process cannot see a committed row: \(check.stdout) \(check.stderr)")
    }
}
