import Foundation
import Testing
@testable import MetricsStore

/// `siamon import/export/runs` as a user runs them: exit codes and one-line errors.
@Suite("MetricsStore command line")
struct CLITests {
    func siamon(_ args: [String], in t: TempDir, env: [String: String] = [:]) throws -> (code: Int32, output: String) {
        let bin = try #require(builtProduct("siamon"), "build siamon first (swift build)")
        let c = try ChildProcess([bin] + args, environment: env, outputPath: t.file("cli-\(UUID().uuidString.prefix(6)).out"))
        return (c.wait(), c.output)
    }

    @Test("import, runs and export through the binary; SIAMON_RUNS moves the database")
    func happyPath() throws {
        let t = TempDir("cli")
        try ImportExportTests.officialLog.write(toFile: t.file("log.txt"), atomically: true, encoding: .utf8)
        let runs = t.file("elsewhere")
        let imp = try siamon(["import", t.file("log.txt"), "--name", "off"], in: t, env: ["SIAMON_RUNS": runs])
        #expect(imp.code == 0, "\(imp.output)")
        #expect(FileManager.default.fileExists(atPath: runs + "/siamon.sqlite"))
        let list = try siamon(["runs", "--runs", runs], in: t)
        #expect(list.code == 0 && list.output.contains("off") && list.output.contains("import") && list.output.contains("0.9100"), "\(list.output)")
        let exp = try siamon(["export", "off", "--format", "jsonl", "--runs", runs, "--out", t.file("off.jsonl")], in: t)
        #expect(exp.code == 0, "\(exp.output)")
        let lines = readAll(t.file("off.jsonl")).split(separator: "\n")
        #expect(lines.count == 3 && lines[1].contains("\"loss\":NaN") && lines[1].contains("\"grad_norm\":Infinity"))
    }

    @Test("bad input: one line on stderr and a non-zero exit", arguments: [
        (["import", "/nonexistent/log.txt", "--name", "x"], "no such readable file"),
        (["import", "@LOG", "--name", "../x"], "run name \"../x\" contains '/'; a run name is one folder under runs/"),
        (["import", "@BROKEN", "--name", "b"], ":2: broken JSON"),
        (["export", "missing"], "no run named 'missing'"),
        (["export", "off", "--format", "xml"], "xml"),
    ])
    func badInput(args: [String], needle: String) throws {
        let t = TempDir("cli")
        try ImportExportTests.officialLog.write(toFile: t.file("log.txt"), atomically: true, encoding: .utf8)
        try "{\"epoch\": 0}\n{\"epoch\": 1,\n{\"epoch\": 2}\n".write(toFile: t.file("broken.txt"), atomically: true, encoding: .utf8)
        _ = try siamon(["import", t.file("log.txt"), "--name", "off", "--runs", t.path], in: t)
        let argv = args.map { $0 == "@LOG" ? t.file("log.txt") : $0 == "@BROKEN" ? t.file("broken.txt") : $0 } + ["--runs", t.path]
        let r = try siamon(argv, in: t)
        #expect(r.code != 0)
        #expect(r.output.contains(needle), "\(r.output)")
        let errorLines = r.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errorLines.count == 1, "\(r.output)")
    }

    @Test("a corrupt page is reported as a one-line corrupt error, and integrity_check says so")
    func corrupt() throws {
        let t = TempDir("cli")
        let db = try MetricsDatabase(path: t.db, environment: ["SIAMON_JOURNAL": "delete"])
        let id = try db.createRun(name: "c", preset: "", configJSON: "{}", source: .siamon)
        try db.write { c in
            var ins = try ScalarInsert(c)
            for s in 0..<20_000 { try ins.add(runId: id, key: "loss", step: s, value: Double(s), wallTime: nil) }
            try ins.finish(c)
        }
        db.close()
        // Overwrite the middle of the file (data pages, not the header) with junk.
        let h = try #require(FileHandle(forUpdatingAtPath: t.db))
        let size = try h.seekToEnd()
        try h.seek(toOffset: size / 2)
        h.write(Data(repeating: 0xA5, count: 16_384))
        try h.close()
        do {
            let again = try MetricsDatabase(path: t.db)
            _ = try again.points(runId: id, key: "loss")
            let check = try again.integrityCheck()
            #expect(check != "ok", "integrity_check passed a corrupted file")
        } catch let e as StoreError {
            guard case .corrupt = e else { Issue.record("expected corrupt, got \(e)"); return }
            #expect(!e.description.contains("\n") && e.description.contains(".recover"))
        }
    }
}
