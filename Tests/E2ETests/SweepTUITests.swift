import Foundation
import MetricsStore
import Testing
import TestSupport

/// `siamon train --sweep ablations` in a real terminal (tmux, 120×40): the queued runs show in the run list
/// (status glyph …) while the first trains, the driver starts them in turn, each is probed, and q quits 0.
@Suite(.serialized) struct SweepTUITests {
    @Test func queuedRunsShowAndStartInTheTUI() throws {
        guard spawnAndWait("tmux", ["-V"]).status == 0 else { Issue.record("tmux is not installed (make test installs it)"); return }
        let presets = try SweepCLITests.presets(), runs = presets.appendingPathComponent("runs")
        defer { try? FileManager.default.removeItem(at: presets) }
        let exitFile = presets.appendingPathComponent("exit").path, db = runs.appendingPathComponent("siamon.sqlite").path
        let t = TUIEndToEndTests.Tmux()
        defer { _ = t.run(["kill-server"]) }
        let command = "cd \(TUIEndToEndTests.root.path) && SIAMON_PRESETS=\(presets.path) \(TUIEndToEndTests.binary) train --sweep ablations "
            + "--runs \(runs.path) --set train.steps=30 --set train.batch_size=8 --probe-limit 200; echo $? > \(exitFile); sleep 60"
        #expect(t.run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40",
                       "-e", "TERM=tmux-256color", "-e", "LANG=C.UTF-8", command]).status == 0)
        // The first run trains while the other two wait in the list as queued.
        guard t.wait("a running first run and two queued ones", { s in
            s.contains("▶ ablations-a") && s.contains("… ablations-b") && s.contains("… ablations-c")
        }) else { return }
        // All three finish and are probed (the store), and the list shows them done.
        let deadline = Date().addingTimeInterval(120)
        var summaries: [RunSummary] = []
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: db), let d = try? MetricsDatabase(path: db, mode: .readOnly) {
                summaries = (try? d.runs()) ?? []
                d.close()
                if summaries.count == 3 && summaries.allSatisfy({ $0.status == .done && $0.latestProbe != nil }) { break }
            }
            usleep(300_000)
        }
        #expect(summaries.map(\.preset) == ["ablation-a", "ablation-b", "ablation-c"])
        #expect(summaries.allSatisfy { $0.status == .done && $0.steps == 30 && $0.latestProbe?.linear != nil }, "\(summaries)")
        t.wait("three done runs in the list") { s in ["a", "b", "c"].allSatisfy { s.contains("✓ ablations-\($0)") } }
        t.keys("q")
        Thread.sleep(forTimeInterval: 0.5)
        if t.screen().contains("y yes") { t.keys("y") }
        let quitDeadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: exitFile) && Date() < quitDeadline { usleep(200_000) }
        let code = (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code == "0", "siamon exit status \(code ?? "none")")
    }
}
