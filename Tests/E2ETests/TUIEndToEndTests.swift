import Foundation
import MetricsStore
import Testing
import TestSupport

/// The TUI end to end, through a real terminal (tmux) at 120×40 with a fresh database:
/// start siamon, start a smoke run with keys, watch it advance, pause (no new steps), resume, quit with
/// confirmation (exit 0), and find the run stopped cleanly with its events in the store.
@Suite(.serialized) struct TUIEndToEndTests {
    static let root = repositoryRoot
    static let binary = siamonBinary

    struct Tmux {
        let socket = "siamon-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        /// tmux itself runs UTF-8 (-u, LANG=C.UTF-8): a server started from a C locale mangles wide cells
        /// when its windows are resized, whatever the program in the pane draws.
        func run(_ args: [String]) -> SpawnResult {
            var env = ProcessInfo.processInfo.environment
            env["LANG"] = "C.UTF-8"; env["LC_ALL"] = "C.UTF-8"
            return spawnAndWait("tmux", ["-u", "-L", socket] + args, environment: env, timeout: 20)
        }
        func screen() -> String { run(["capture-pane", "-p", "-t", "e2e"]).stdout }
        func keys(_ k: String...) { _ = run(["send-keys", "-t", "e2e"] + k) }
        /// Polls the screen until `predicate` holds; records an issue with the last screen on timeout.
        @discardableResult
        func wait(_ what: String, timeout: Double = 60, _ predicate: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = screen()
                if predicate(last) { return true }
                usleep(200_000)
            }
            Issue.record("timed out waiting for \(what); screen:\n\(last)")
            return false
        }
    }

    static func maxStep(_ db: String) throws -> Int {
        let d = try MetricsDatabase(path: db, mode: .readOnly)
        defer { d.close() }
        return try d.runs().map(\.steps).max() ?? 0
    }

    @Test func startPauseResumeQuitThroughTmux() throws {
        guard spawnAndWait("tmux", ["-V"]).status == 0 else { Issue.record("tmux is not installed (make test installs it)"); return }
        #expect(FileManager.default.fileExists(atPath: Self.binary), "no siamon binary at \(Self.binary)")
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runs) }
        let exitFile = runs.appendingPathComponent("exit").path, db = runs.appendingPathComponent("siamon.sqlite").path
        let t = Tmux()
        defer { _ = t.run(["kill-server"]) }
        let command = "cd \(Self.root.path) && \(Self.binary) --runs \(runs.path); echo $? > \(exitFile); sleep 60"
        #expect(t.run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40",
                       "-e", "TERM=tmux-256color", "-e", "LANG=C.UTF-8", command]).status == 0)
        guard t.wait("the empty dashboard", { $0.contains("no runs yet") }) else { return }

        // 1. Start a smoke run with keys: n, → to the smoke preset, ↓×4 to steps, type 400, Enter.
        t.keys("n"); t.wait("the new-run dialog") { $0.contains("new run") }
        t.keys("Right"); t.wait("the smoke preset") { $0.contains("◂ smoke ▸") }
        t.keys("Down", "Down", "Down", "Down", "BSpace", "BSpace", "BSpace", "BSpace", "4", "0", "0", "Enter")
        guard t.wait("the step to advance", timeout: 120, { Self.step(in: $0) >= 3 }) else { return }
        #expect(t.wait("braille in the loss chart") { s in s.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } })

        // 2. p pauses: the status says paused and the store gets no further steps.
        t.keys("p")
        guard t.wait("paused", { $0.contains("paused") }) else { return }
        Thread.sleep(forTimeInterval: 1.5)           // the step in flight finishes and is flushed
        let atPause = try Self.maxStep(db)
        Thread.sleep(forTimeInterval: 3)
        #expect(try Self.maxStep(db) == atPause, "steps were written while paused")

        // 3. r resumes.
        t.keys("r")
        let deadline = Date().addingTimeInterval(60)
        while try Self.maxStep(db) <= atPause && Date() < deadline { usleep(200_000) }
        #expect(try Self.maxStep(db) > atPause, "no new steps after resume")

        // 4. q asks, y confirms, and siamon exits 0.
        t.keys("q"); t.wait("the quit confirmation") { $0.contains("y yes") }
        t.keys("y")
        let quitDeadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: exitFile) && Date() < quitDeadline { usleep(200_000) }
        let code = (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code == "0", "siamon exit status \(code ?? "none")")

        // 5. The store shows the run stopped cleanly, with its events.
        let d = try MetricsDatabase(path: db, mode: .readOnly)
        defer { d.close() }
        let run = try #require(try d.runs().first)
        #expect(run.status == .stopped)
        let kinds = try d.events(runId: run.id).map(\.kind)
        for k in ["pause", "resume", "checkpoint", "stop"] { #expect(kinds.contains(k), "no \(k) event in \(kinds)") }
    }

    /// The step in the status line ("running  12/400").
    static func step(in screen: String) -> Int {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("/400") }),
              let r = line.range(of: #"(\d+)/400"#, options: .regularExpression) else { return 0 }
        return Int(line[r].split(separator: "/")[0]) ?? 0
    }
}
