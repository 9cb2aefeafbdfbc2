import Foundation
import Testing
import TestSupport

/// Hostile terminals, through tmux: a tiny terminal, LANG=C, NO_COLOR, TERM=dumb, a closed stdin, and a
/// resize storm while a run trains. The TUI never crashes, draws a sane screen afterwards, and exits 0 on q.
@Suite(.serialized) struct TerminalCasesTests {
    typealias Tmux = TUIEndToEndTests.Tmux

    /// Starts siamon in a fresh tmux server; returns the server, the runs folder and the exit-status file.
    static func start(width: Int, height: Int, env: [String] = ["TERM=tmux-256color", "LANG=C.UTF-8"],
                      args: String = "", stderrToFile: Bool = true) throws -> (Tmux, URL, String) {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let exitFile = runs.appendingPathComponent("exit").path
        let t = Tmux()
        // The variables go on the command line: tmux sets TERM in the pane itself, over `-e TERM=…`.
        let command = "cd \(TUIEndToEndTests.root.path) && env \(env.joined(separator: " ")) \(TUIEndToEndTests.binary) \(args) --runs \(runs.path)\(stderrToFile ? " 2> \(runs.path)/err" : ""); echo $? > \(exitFile); sleep 60"
        #expect(t.run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "\(width)", "-y", "\(height)", command]).status == 0)
        return (t, runs, exitFile)
    }

    static func exitStatus(_ file: String, timeout: Double = 30) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: file, encoding: .utf8) { return s.trimmingCharacters(in: .whitespacesAndNewlines) }
            usleep(100_000)
        }
        return nil
    }

    static func quit(_ t: Tmux, _ exitFile: String) -> String? {
        t.keys("q")
        usleep(500_000)
        if t.screen().contains("y yes") { t.keys("y") }
        return exitStatus(exitFile)
    }

    @Test func tinyTerminalSaysWhatSizeIsNeeded() throws {
        let (t, runs, exitFile) = try Self.start(width: 20, height: 5)
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        #expect(t.wait("the size message") { $0.contains("is too") && $0.contains("needs") })
        #expect(Self.quit(t, exitFile) == "0")
    }

    @Test func plainCLocaleStillDrawsUnicode() throws {
        let (t, runs, exitFile) = try Self.start(width: 120, height: 40, env: ["TERM=tmux-256color", "LANG=C", "LC_ALL=C"])
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        #expect(t.wait("the dashboard") { $0.contains("no runs yet") && $0.contains("┌") })
        #expect(!t.screen().contains("~V~@"), "box drawing came out as garbage under LANG=C")
        #expect(Self.quit(t, exitFile) == "0")
    }

    @Test func noColorEmitsNoColourCodes() throws {
        let (t, runs, exitFile) = try Self.start(width: 120, height: 40, env: ["TERM=tmux-256color", "LANG=C.UTF-8", "NO_COLOR=1"])
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        t.wait("the dashboard") { $0.contains("no runs yet") }
        let styled = t.run(["capture-pane", "-e", "-p", "-t", "e2e"]).stdout
        #expect(!styled.contains("\u{1B}[38;5;") && !styled.contains("\u{1B}[38;2;"), "colour escapes under NO_COLOR")
        #expect(Self.quit(t, exitFile) == "0")
    }

    @Test func dumbTerminalGetsOneClearLine() throws {
        let (t, runs, exitFile) = try Self.start(width: 120, height: 40, env: ["TERM=dumb", "LANG=C.UTF-8"])
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        let status = Self.exitStatus(exitFile)
        let err = (try? String(contentsOfFile: runs.appendingPathComponent("err").path, encoding: .utf8)) ?? ""
        #expect(status == "1", "TERM=dumb exit \(status ?? "none")")
        #expect(err.split(separator: "\n").count == 1 && err.contains("TERM"), "stderr: \(err)")
    }

    @Test func closedStdinExitsWithOneLineInsteadOfHanging() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("stdin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm-256color"
        let r = spawnAndWait(TUIEndToEndTests.binary, ["--runs", runs.path], environment: env, timeout: 30)
        #expect(r.status >= 1 && r.status < 128, "exit \(r.status)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
    }

    @Test func resizeStormWhileTrainingLeavesASaneScreen() throws {
        let (t, runs, exitFile) = try Self.start(width: 120, height: 40)
        defer { _ = t.run(["kill-server"]); try? FileManager.default.removeItem(at: runs) }
        guard t.wait("the dashboard", { $0.contains("no runs yet") }) else { return }
        t.keys("n"); t.wait("the new-run dialog") { $0.contains("new run") }
        t.keys("Right"); t.wait("the smoke preset") { $0.contains("◂ smoke ▸") }
        t.keys("Down", "Down", "Down", "Down", "BSpace", "BSpace", "BSpace", "BSpace", "4", "0", "0", "Enter")
        guard t.wait("training", timeout: 120, { TUIEndToEndTests.step(in: $0) >= 2 }) else { return }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            _ = t.run(["resize-window", "-t", "e2e", "-x", "\(Int.random(in: 10...200, using: &rng))",
                       "-y", "\(Int.random(in: 3...60, using: &rng))"])
            usleep(50_000)
        }
        _ = t.run(["resize-window", "-t", "e2e", "-x", "120", "-y", "40"])
        let early = Self.exitStatus(exitFile, timeout: 1)
        let err = (try? String(contentsOfFile: runs.appendingPathComponent("err").path, encoding: .utf8)) ?? ""
        let pane = t.run(["display", "-p", "-t", "e2e", "#{pane_width}x#{pane_height}"]).stdout
        #expect(pane.hasPrefix("120x40"), "pane is \(pane) after the final resize")
        #expect(early == nil, "siamon ended during the resize storm with status \(early ?? "") and stderr: \(err)")
        #expect(t.wait("a clean 120×40 dashboard after the storm", timeout: 10) { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.first?.contains("siamon │ dashboard") == true && s.contains("/400") && s.contains("q quit")
        })
        #expect(Self.quit(t, exitFile) == "0")
    }
}
