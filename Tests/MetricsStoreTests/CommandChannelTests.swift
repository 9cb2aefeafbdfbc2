import Foundation
import RunCore
import Synchronization
import Testing
@testable import MetricsStore

/// The command channel (docs/command-channel.md): exactly once, refused, expired, and history across a resume.
@Suite("Command channel")
struct CommandChannelTests {
    /// A pid that is certainly dead: a child that has exited and been reaped.
    static func deadPid() -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/true", nil, nil, argv, nil) == 0 else { return 999_999 }
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return pid
    }

    @Test("two issuers racing and two claimers racing: every command is claimed exactly once, in order per claim")
    func exactlyOnceUnderRaces() throws {
        let t = TempDir("cmd")
        let setup = try MetricsDatabase(path: t.db)
        let runId = try setup.createRun(name: "live", preset: "smoke", configJSON: "{}", source: .siamon)
        setup.close()
        let perIssuer = 60
        let claimed = Mutex<[Int64]>([])
        let issuing = Atomic<Int>(2)
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let db = try! MetricsDatabase(path: t.db)
                for i in 0..<perIssuer { _ = try! db.issue(i % 2 == 0 ? .pause : .scaleLearningRate(1.25), run: "live") }
                issuing.subtract(1, ordering: .relaxed)
                db.close()
            }
        }
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let db = try! MetricsDatabase(path: t.db)
                while true {
                    let done = issuing.load(ordering: .relaxed) == 0
                    let got = try! db.claimCommands(runId: runId)
                    #expect(got.map { $0.id! } == got.map { $0.id! }.sorted())
                    claimed.withLock { $0 += got.map { $0.id! } }
                    if done && got.isEmpty { break }
                }
                db.close()
            }
        }
        group.wait()
        let ids = claimed.withLock { $0 }
        #expect(ids.count == 2 * perIssuer)
        #expect(Set(ids).count == ids.count, "a command was claimed twice")
        let check = try MetricsDatabase(path: t.db)
        #expect(try check.commands(runId: runId).allSatisfy { $0.state == .claimed && $0.claimedAt != nil })
    }

    @Test("a command for a run that is not live is refused at once, with the status as the reason")
    func refusedWhenRunIsDone() throws {
        let t = TempDir("cmd")
        let db = try MetricsDatabase(path: t.db)
        let runId = try db.createRun(name: "old", preset: "smoke", configJSON: "{}", source: .siamon)
        try db.setStatus(runId: runId, .done)
        #expect(throws: CommandIssueError.runNotLive(run: "old", status: .done)) { try db.issue(.pause, run: "old") }
        let rows = try db.commands(runId: runId)
        #expect(rows.count == 1 && rows[0].state == .refused && rows[0].result == "run is done")
    }

    @Test("the owner's answer is recorded; unknown kinds written by other tools are refused, not applied")
    func answersAndUnknownKinds() throws {
        let t = TempDir("cmd")
        let db = try MetricsDatabase(path: t.db)
        let runId = try db.createRun(name: "live", preset: "smoke", configJSON: "{}", source: .siamon)
        let id = try db.issue(.checkpoint, run: "live")
        try db.write { c in
            try c.exec("INSERT INTO command (runId, kind, argument, issuerPid, issuerHost, issuedAt) VALUES (\(runId), 'lr_scale', -2, 1, 'h', 0)")
        }
        let got = try db.claimCommands(runId: runId)
        #expect(got == [IssuedCommand(id: id, command: .checkpoint)])
        try db.finishCommand(id: id, .applied("checkpoint-7 saved"))
        let rows = try db.commands(runId: runId)
        #expect(rows[0].state == .applied && rows[0].result == "checkpoint-7 saved" && rows[0].doneAt != nil)
        #expect(rows[1].state == .refused && rows[1].result?.hasPrefix("unknown command lr_scale") == true)
    }

    @Test("pending commands of an owner that died expire with its last heartbeat; the database stays intact")
    func expiresWhenOwnerIsGone() throws {
        let t = TempDir("cmd")
        let db = try MetricsDatabase(path: t.db)
        let runId = try db.createRun(name: "gone", preset: "smoke", configJSON: "{}", source: .siamon)
        let a = try db.issue(.pause, run: "gone")
        let b = try db.issue(.stop, run: "gone")
        _ = try db.claimCommands(runId: runId)          // claimed by the owner, never answered
        let c = try db.issue(.resume, run: "gone")      // still pending
        try db.write { conn in try conn.exec("UPDATE run SET writerPid = \(Self.deadPid()), heartbeat = 1.7e9 WHERE id = \(runId)") }
        #expect(try db.expireOrphanedCommands() == 3)
        for id in [a, b, c] {
            let r = try #require(try db.command(id: id))
            #expect(r.state == .expired)
            #expect(r.result?.hasPrefix("owner not responding since 2023-11-14T22:13:20Z") == true, "\(r.result ?? "")")
        }
        #expect(throws: CommandIssueError.self) { try db.issue(.pause, run: "gone") }
        var ok = ""
        try db.with { conn in try conn.rows("PRAGMA integrity_check") { s in ok = s.text(0) } }
        #expect(ok == "ok")
    }

    @Test("a resumed run keeps its command history and loses only the rows past the resumed step")
    func resumeKeepsHistoryAndTruncates() throws {
        let t = TempDir("cmd")
        let db = try MetricsDatabase(path: t.db)
        let runId = try db.createRun(name: "r", preset: "smoke", configJSON: "{}", source: .siamon)
        let w = try StoreWriter(path: t.db, runId: runId)
        for s in 0..<300 { w.record(report(s)) }
        w.flush()
        let id = try db.issue(.pause, run: "r")
        try w.finish(status: .stopped)
        #expect(try db.command(id: id)?.state == .refused)
        try db.write { c in try c.exec("UPDATE run SET writerPid = \(Self.deadPid()) WHERE id = \(runId)") }
        #expect(try db.takeOwnership(of: "r") == runId)
        #expect(try db.truncate(runId: runId, fromStep: 50) == 250 * report(0).scalars.count)
        #expect(try db.commands(runId: runId).map(\.id) == [id])
        let points = try db.points(runId: runId, key: "loss")
        #expect(points.map(\.step) == Array(0..<50))
        #expect(try db.run(named: "r").steps == 50 && db.run(named: "r").status == .running)
        // The pyramid agrees with the raw rows after the rebuild: one bucket over everything.
        let whole = try db.series(runId: runId, key: "loss", columns: 1)
        #expect(whole.count == 1 && whole[0].xMin == 0 && whole[0].xMax == 49 && whole[0].count == 50)
        #expect(whole[0].last == report(49).loss && whole[0].first == report(0).loss)
    }

    @Test("--resume of a run whose owner is alive, or of an imported run, is refused with the owner named")
    func ownershipIsExclusive() throws {
        let t = TempDir("cmd")
        let db = try MetricsDatabase(path: t.db)
        let runId = try db.createRun(name: "busy", preset: "smoke", configJSON: "{}", source: .siamon)
        try db.write { c in try c.exec("UPDATE run SET writerPid = 1, heartbeat = \(Date().timeIntervalSince1970) WHERE id = \(runId)") }
        #expect(throws: OwnershipError.self) { try db.takeOwnership(of: "busy") }
        do { _ = try db.takeOwnership(of: "busy") } catch { #expect("\(error)".contains("pid 1 on this host")) }
        let imported = try db.createRun(name: "imp", preset: "", configJSON: "{}", source: .imported)
        try db.setStatus(runId: imported, .done)
        #expect(throws: OwnershipError.imported(run: "imp")) { try db.takeOwnership(of: "imp") }
    }
}
