import Foundation
import MetricsStore
import Testing
import TestSupport

/// The TUI steers runs it did not start: a headless run in another process, and a run it started in the
/// background that outlives it and is steered by the next TUI.
@Suite(.serialized) struct TUISteeringTests {
    typealias Tmux = TUIEndToEndTests.Tmux

    static func open(_ t: Tmux, runs: URL, exitFile: String) -> Bool {
        let command = "cd \(TUIEndToEndTests.root.path) && \(TUIEndToEndTests.binary) --runs \(runs.path); echo $? > \(exitFile); sleep 60"
        return t.run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40",
                      "-e", "TERM=tmux-256color", "-e", "LANG=C.UTF-8", command]).status == 0
    }

    static func quit(_ t: Tmux, exitFile: String) -> String? {
        t.keys("q")
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: exitFile) && Date() < deadline { usleep(100_000) }
        return (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// p and r in the TUI pause and resume a run that a headless siamon in another process owns.
    @Test func pauseAndResumeARunOwnedByAnotherProcess() throws {
        guard spawnAndWait("tmux", ["-V"]).status == 0 else { Issue.record("tmux is not installed (make test installs it)"); return }
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("steer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        let db = runs.appendingPathComponent("siamon.sqlite").path, exitFile = runs.appendingPathComponent("exit").path
        let child = try CLIRunner.start(["train", "--preset", "smoke", "--headless", "--runs", runs.path, "--name", "ext"]
                                        + ControlCLITests.overrides)
        defer { kill(child.pid, SIGKILL); _ = CLIRunner.wait(child, timeout: 5) }
        #expect(ControlCLITests.waitFor(120) { ControlCLITests.maxStep(db) >= 1 })
        let t = Tmux()
        defer { _ = t.run(["kill-server"]) }
        #expect(Self.open(t, runs: runs, exitFile: exitFile))
        guard t.wait("the other process's run, with its owner", { $0.contains("ext") && $0.contains("@pid \(child.pid)") }) else { return }
        t.keys("p")
        guard t.wait("the pause applied", { $0.contains("applied") && $0.contains("paused") }) else { return }
        Thread.sleep(forTimeInterval: 0.5)
        let atPause = ControlCLITests.maxStep(db)
        Thread.sleep(forTimeInterval: 3)
        #expect(ControlCLITests.maxStep(db) == atPause, "steps were written while paused")
        t.keys("r")
        #expect(t.wait("the resume applied", { $0.contains("resumed at step") }))
        #expect(ControlCLITests.waitFor(60) { ControlCLITests.maxStep(db) > atPause + 1 }, "no steps after resume")
        // Quitting asks nothing (no run trains here) and leaves the other process training.
        #expect(Self.quit(t, exitFile: exitFile) == "0")
        #expect(kill(child.pid, 0) == 0, "the other process's run ended with the TUI")
    }

    /// A run started with "run: background" keeps training after the TUI quits; a new TUI pauses it.
    @Test func aBackgroundRunOutlivesTheTUIAndTheNextOneSteersIt() throws {
        guard spawnAndWait("tmux", ["-V"]).status == 0 else { Issue.record("tmux is not installed (make test installs it)"); return }
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runs) }
        let db = runs.appendingPathComponent("siamon.sqlite").path
        var t = Tmux()
        #expect(Self.open(t, runs: runs, exitFile: runs.appendingPathComponent("exit1").path))
        guard t.wait("the empty dashboard", { $0.contains("no runs yet") }) else { _ = t.run(["kill-server"]); return }
        // n, → smoke, ↓×4 to steps: 3000, ↓ to the run row, → background, Enter.
        t.keys("n"); t.wait("the new-run dialog") { $0.contains("new run") }
        t.keys("Right"); t.wait("the smoke preset") { $0.contains("◂ smoke ▸") }
        t.keys("Down", "Down", "Down", "Down", "BSpace", "BSpace", "BSpace", "BSpace", "3", "0", "0", "0", "Down", "Down", "Right")
        t.wait("background chosen") { $0.contains("◂ background ▸") }
        t.keys("Enter")
        guard t.wait("the background run training", timeout: 120, { $0.contains("@pid") }) else { _ = t.run(["kill-server"]); return }
        #expect(Self.quit(t, exitFile: runs.appendingPathComponent("exit1").path) == "0")
        _ = t.run(["kill-server"])
        let d = try MetricsDatabase(path: db, mode: .readOnly)
        let run = try #require(try d.runs().first)
        d.close()
        defer { _ = try? CLIRunner.run(["ctl", "--runs", runs.path, run.name, "stop"], timeout: 60) }
        let afterQuit = ControlCLITests.maxStep(db)
        #expect(ControlCLITests.waitFor(60) { ControlCLITests.maxStep(db) > afterQuit + 1 }, "the run stopped with the TUI")

        t = Tmux()
        defer { _ = t.run(["kill-server"]) }
        let exit2 = runs.appendingPathComponent("exit2").path
        #expect(Self.open(t, runs: runs, exitFile: exit2))
        guard t.wait("the run in the new TUI", { $0.contains(run.name) && $0.contains("@pid") }) else { return }
        t.keys("p")
        #expect(t.wait("the pause applied", { $0.contains("applied") && $0.contains("paused") }))
        let stop = try CLIRunner.run(["ctl", "--runs", runs.path, run.name, "stop"], timeout: 60)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(Self.quit(t, exitFile: exit2) == "0")
    }
}
