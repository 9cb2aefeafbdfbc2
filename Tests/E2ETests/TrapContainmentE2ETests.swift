import Foundation
import MetricsStore
import Testing
import TestSupport

/// A trainer thread that traps marks its run failed, the UI stays up, and other runs continue (docs/architecture.md §5),
/// through the real TUI under tmux: two smoke runs started with keys, one of them made to execute a real Swift
/// trap at step 12 (SIAMON_FAULT_TRAP). Also the paths that must still end a process (TrapProbe, a child).
@Suite(.serialized) struct TrapContainmentE2ETests {
    typealias Tmux = TUIEndToEndTests.Tmux
    static let trapStep = 12
    static var probe: String { builtProduct("TrapProbe") ?? repositoryRoot.appendingPathComponent(".build/debug/TrapProbe").path }

    /// n → smoke preset → the name field → `name` → the steps field → 400 → Enter.
    static func startSmokeRun(_ t: Tmux, name: String) {
        t.keys("n"); t.wait("the new-run dialog") { $0.contains("new run") }
        t.keys("Right"); t.wait("the smoke preset") { $0.contains("◂ smoke ▸") }
        t.keys("Down"); _ = t.run(["send-keys", "-t", "e2e"] + Array(repeating: "BSpace", count: 12)); t.keys(name)
        t.keys("Down", "Down", "Down", "BSpace", "BSpace", "BSpace", "BSpace", "4", "0", "0", "Enter")
    }

    static func run(_ db: MetricsDatabase, _ name: String) throws -> RunSummary? { try db.runs().first { $0.name == name } }

    @Test func aTrappedRunFailsAloneAndTheUIStaysUp() throws {
        guard spawnAndWait("tmux", ["-V"]).status == 0 else { Issue.record("tmux is not installed (make test installs it)"); return }
        let (t, runs, exitFile) = try TerminalCasesTests.start(width: 120, height: 40,
            env: ["TERM=tmux-256color", "LANG=C.UTF-8", "SIAMON_FAULT_TRAP=victim:\(Self.trapStep)"])
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        let dbPath = runs.appendingPathComponent("siamon.sqlite").path
        guard t.wait("the dashboard", { $0.contains("no runs yet") }) else { return }
        Self.startSmokeRun(t, name: "steady")
        guard t.wait("steady in the run list", timeout: 60, { $0.contains("steady") }) else { return }
        Self.startSmokeRun(t, name: "victim")

        // The victim fails: ✗ in the run list and the message; the UI keeps drawing.
        guard t.wait("victim failed", timeout: 180, { $0.contains("✗ victim") }) else { return }
        let err = (try? String(contentsOfFile: runs.appendingPathComponent("err").path, encoding: .utf8)) ?? ""
        #expect(err.contains("injected trap in run victim at step \(Self.trapStep)"), "stderr: \(err)")
        #expect(TerminalCasesTests.exitStatus(exitFile, timeout: 0.5) == nil, "siamon ended after the trap; stderr: \(err)")

        // The store says failed, with a trap event at the step; every step before it is there once.
        let db = try MetricsDatabase(path: dbPath, mode: .readOnly)
        defer { db.close() }
        #expect(TrainerHostLikeWait.until(10) { (try? Self.run(db, "victim"))??.status == .failed })
        let victim = try #require(try Self.run(db, "victim"))
        let trap = try db.events(runId: victim.id).first { $0.kind == "trap" }
        #expect(trap?.step == Self.trapStep && trap?.detail.contains("\"signal\"") == true, "trap event: \(String(describing: trap))")
        #expect(victim.steps == Self.trapStep, "victim has \(victim.steps) steps")

        // The other run keeps training.
        let before = try #require(try Self.run(db, "steady")).steps
        #expect(TrainerHostLikeWait.until(60) { ((try? Self.run(db, "steady"))??.steps ?? 0) >= before + 5 },
                "steady stuck at \(before) steps after the trap")
        #expect(t.screen().contains("siamon │ dashboard"))

        // q, y: exits 0 without waiting on the parked thread.
        let t0 = Date()
        #expect(TerminalCasesTests.quit(t, exitFile) == "0")
        #expect(Date().timeIntervalSince(t0) < 30, "quit took \(Date().timeIntervalSince(t0)) s")
        let after = try #require(try Self.run(db, "victim"))
        #expect(after.status == .failed && after.steps == Self.trapStep)
        #expect(try #require(try Self.run(db, "steady")).status == .stopped)
        // No checkpoint after the trap: checkpoint-10 (smoke checkpoints every 10) stays the newest.
        let files = try FileManager.default.contentsOfDirectory(atPath: runs.appendingPathComponent("victim").path)
        #expect(files.filter { $0.hasPrefix("checkpoint-") }.sorted() == ["checkpoint-10.optim.safetensors", "checkpoint-10.safetensors"],
                "victim files: \(files.sorted())")
        let lines = try String(contentsOfFile: runs.appendingPathComponent("victim/steps.jsonl").path, encoding: .utf8)
        #expect(lines.split(separator: "\n").count == Self.trapStep)
    }

    /// With stderr on the terminal, a contained `fatalError` prints its message; the UI sends stderr to a file
    /// while curses owns the screen, so the title bar stays put, and replays the message after it exits.
    @Test func aTrapMessageDoesNotScrollTheScreen() throws {
        guard spawnAndWait("tmux", ["-V"]).status == 0 else { Issue.record("tmux is not installed (make test installs it)"); return }
        let (t, runs, exitFile) = try TerminalCasesTests.start(width: 120, height: 40,
            env: ["TERM=tmux-256color", "LANG=C.UTF-8", "SIAMON_FAULT_TRAP=victim:3:fatal"], stderrToFile: false)
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        guard t.wait("the dashboard", { $0.contains("no runs yet") }) else { return }
        Self.startSmokeRun(t, name: "victim")
        guard t.wait("victim failed", timeout: 180, { $0.contains("✗ victim") }) else { return }
        usleep(500_000)
        let first = t.screen().split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
        #expect(first.contains("siamon │ dashboard"), "title bar moved; top line: \(first)")
        #expect(!t.screen().contains("injected trap"), "the trap message was drawn over the UI")
        #expect(TerminalCasesTests.quit(t, exitFile) == "0")
        #expect(t.wait("the replayed message", timeout: 10, { $0.contains("injected trap in run victim at step 3") }))
        #expect(!FileManager.default.fileExists(atPath: runs.appendingPathComponent("siamon-ui-stderr.log").path),
                "the replayed log is removed")
    }

    /// The handler passes on everything that is not a trap on a contained thread: a trap on the main thread or
    /// on an ordinary thread, and SIGILL sent by pthread_kill, still end the process with that signal.
    @Test(arguments: ["main", "thread", "sent"])
    func otherFaultsStillEndTheProcess(mode: String) {
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        let r = spawnAndWait(Self.probe, [mode], environment: env, timeout: 60)
        #if arch(x86_64)
        let trap = SIGILL      // ud2
        #else
        let trap = SIGTRAP     // brk
        #endif
        let expected = mode == "sent" ? SIGILL : trap
        #expect(r.status == 128 + expected, "TrapProbe \(mode): status \(r.status), stdout \(r.stdout), stderr \(r.stderr)")
        #expect(r.stdout.contains("reported:") && !r.stdout.contains("still alive"), "stdout: \(r.stdout)")
    }

    @Test func containedTrapsLeaveTheProcessRunning() {
        let r = spawnAndWait(Self.probe, ["contained"], timeout: 60)
        #expect(r.status == 0, "status \(r.status), stderr \(r.stderr)")
        #expect(r.stdout.components(separatedBy: "reported:").count == 3 && r.stdout.contains("alive"), "stdout: \(r.stdout)")
    }

    /// The Swift runtime's backtracer still reports a crash on an ordinary thread (it is the handler ours chains to).
    @Test func theSwiftBacktracerStillReportsOtherCrashes() {
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no"
        let r = spawnAndWait(Self.probe, ["main"], environment: env, timeout: 90)
        #expect(r.status >= 128, "status \(r.status)")
        #expect(r.stderr.contains("Program crashed"), "stderr: \(r.stderr.prefix(2000))")
    }
}

enum TrainerHostLikeWait {
    static func until(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { if condition() { return true }; usleep(200_000) }
        return condition()
    }
}
