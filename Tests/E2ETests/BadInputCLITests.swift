import Foundation
import Testing

/// The bad-input corpus through the real command line (docs/architecture.md §5): every case in Tests/Fixtures/bad/cli/cases.json
/// runs `siamon`, which must exit non-zero (not by a signal, not by the timeout) with exactly one stderr line,
/// the expected one, and leave the runs folder and the corpus byte-for-byte as they were.
///
/// A case is `args` (placeholders {bad}, {cli}, {runs}; {dbbytes} in an expected line is the size of the
/// template database, which changes with the schema), a `setup` for the runs folder, and the expected line
/// (`expected`, or `expected_file` under Tests/Fixtures/bad holding the API-level message, which the CLI
/// prints after "Error: "). Setups: "runs" (a folder with an imported run `g` and a trained run `r1`, no
/// checkpoints), "db:FILE" (only cli/db/FILE as siamon.sqlite), "db-truncated", "db-readonly" (a read-only
/// tmpfs; needs root), "ckpt:RECIPE" (r1 with both checkpoints damaged by RECIPE, see `CheckpointDamage`).
/// Theme cases run `ui`/`watch --theme`: the theme is read before the terminal or the database is touched.
/// A case may set environment variables (`env`, placeholders allowed).
/// A NUL byte cannot pass through argv; run names with NUL are covered by ConfigBadCorpusTests.runNameCases.
@Suite("Bad-input corpus through the siamon CLI", .serialized)
struct BadInputCLITests {
    static let bad = CLIRunner.repoRoot.appendingPathComponent("Tests/Fixtures/bad")
    static let cli = bad.appendingPathComponent("cli")

    struct Case: Decodable {
        var name: String
        var category: String
        var setup: String
        var args: [String]
        var expected: String?
        var expected_file: String?
        var set_file: String?
        var env: [String: String]?
    }

    @Test func everyCaseFailsWithItsLineAndChangesNothing() throws {
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: Self.cli.appendingPathComponent("cases.json")))
        #expect(cases.count >= 40)
        #expect(Set(cases.map(\.category)) == ["preset", "set", "run name", "database", "checkpoint", "dataset", "log", "theme",
                                                "output", "memory", "probe"])
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("siamon-badcli-\(getpid())")
        try? FileManager.default.removeItem(at: work)
        defer { try? FileManager.default.removeItem(at: work) }
        let template = try Self.makeTemplate(in: work.appendingPathComponent("template"))
        let corpusBefore = fileSnapshot(Self.bad)
        let dbBytes = fileSnapshot(template)["siamon.sqlite"]?.count ?? 0
        var ran = 0, skipped: [String] = []
        for c in cases {
            let runs = work.appendingPathComponent("case-\(c.name)")
            guard let cleanup = try Self.prepare(c.setup, runs: runs, template: template) else {
                skipped.append("\(c.name) (setup \(c.setup) needs root and mount(2))")
                continue
            }
            defer { cleanup(); try? FileManager.default.removeItem(at: runs) }
            let before = fileSnapshot(runs)
            let env = (c.env ?? [:]).mapValues { Self.substitute($0, runs: runs) }
            let r = try CLIRunner.run(try Self.arguments(c, runs: runs), timeout: 120, environment: env)
            ran += 1
            let expected = try Self.expectedLine(c, runs: runs).replacingOccurrences(of: "{dbbytes}", with: String(dbBytes))
            #expect(!r.timedOut, "case \(c.name): hung (killed after \(r.seconds) s)")
            #expect(r.status > 0 && r.status < 128, "case \(c.name): exit status \(r.status)")
            #expect(r.stderr == expected + "\n", "case \(c.name): got \(r.stderr.debugDescription)")
            let after = fileSnapshot(runs)
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            #expect(changed.isEmpty, "case \(c.name): changed \(changed)")
        }
        let corpusAfter = fileSnapshot(Self.bad)
        let corpusChanged = Set(corpusBefore.keys).union(corpusAfter.keys).filter { corpusBefore[$0] != corpusAfter[$0] }.sorted()
        #expect(corpusChanged.isEmpty, "the corpus changed: \(corpusChanged)")
        #expect(ran >= 40)
        if !skipped.isEmpty { print("BadInputCLITests skipped \(skipped.count): \(skipped.joined(separator: ", "))") }
    }

    /// A runs folder made by siamon itself: run `g` imported from a good log.txt, run `r1` trained for two
    /// steps on synthetic data with a checkpoint after each.
    static func makeTemplate(in dir: URL) throws -> URL {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let imp = try CLIRunner.run(["import", cli.appendingPathComponent("logs/good.txt").path, "--name", "g", "--runs", dir.path])
        #expect(imp.status == 0, "template import: \(imp.stderr)")
        let train = try CLIRunner.run(["train", "--headless", "--preset", "smoke", "--set", "data.source=synthetic",
                                       "--set", "train.steps=2", "--set", "train.checkpoint_every=1", "--name", "r1", "--runs", dir.path])
        #expect(train.status == 0, "template train: \(train.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("r1/checkpoint-2.safetensors").path))
        return dir
    }

    /// Builds the case's runs folder; returns its cleanup, or nil when the setup cannot run here.
    static func prepare(_ setup: String, runs: URL, template: URL) throws -> (() -> Void)? {
        let fm = FileManager.default
        try fm.createDirectory(at: runs, withIntermediateDirectories: true)
        func copyTemplate(checkpoints: Bool) throws {
            for rel in fileSnapshot(template).keys where checkpoints || !rel.contains("checkpoint-") {
                let to = runs.appendingPathComponent(rel)
                try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: template.appendingPathComponent(rel), to: to)
            }
        }
        let db = runs.appendingPathComponent("siamon.sqlite")
        switch setup {
        case "runs":
            try copyTemplate(checkpoints: false)
        case _ where setup.hasPrefix("db:"):
            try fm.copyItem(at: cli.appendingPathComponent("db/" + setup.dropFirst(3)), to: db)
        case "db-truncated":
            try copyTemplate(checkpoints: false)
            let h = try FileHandle(forWritingTo: db)
            try h.truncate(atOffset: 8192)
            try h.close()
        case "db-readonly":
            guard getuid() == 0, mount("tmpfs", runs.path, "tmpfs", 0, "size=8m") == 0 else { return nil }
            try copyTemplate(checkpoints: false)
            guard mount(nil, runs.path, nil, UInt(MS_REMOUNT | MS_RDONLY), nil) == 0 else {
                umount2(runs.path, Int32(MNT_DETACH)); return nil
            }
            return { umount2(runs.path, Int32(MNT_DETACH)) }
        case _ where setup.hasPrefix("ckpt:"):
            try copyTemplate(checkpoints: true)
            for step in [1, 2] {
                try CheckpointDamage.apply(String(setup.dropFirst(5)), to: runs.appendingPathComponent("r1/checkpoint-\(step).safetensors"),
                                           corpus: bad.appendingPathComponent("checkpoints"))
            }
        default:
            Issue.record("unknown setup \(setup)")
        }
        return {}
    }

    static func substitute(_ s: String, runs: URL) -> String {
        s.replacingOccurrences(of: "{bad}", with: bad.path).replacingOccurrences(of: "{cli}", with: cli.path)
            .replacingOccurrences(of: "{runs}", with: runs.path)
    }

    static func arguments(_ c: Case, runs: URL) throws -> [String] {
        var args = c.args.map { substitute($0, runs: runs) }
        if let f = c.set_file {
            let lines = try String(contentsOf: bad.appendingPathComponent(f), encoding: .utf8).split(separator: "\n")
            for l in lines { args += ["--set", String(l)] }
        }
        return args
    }

    static func expectedLine(_ c: Case, runs: URL) throws -> String {
        if let f = c.expected_file {
            let text = try String(contentsOf: bad.appendingPathComponent(f), encoding: .utf8)
            return "Error: " + text.trimmingCharacters(in: .newlines)
        }
        return substitute(c.expected ?? "", runs: runs)
    }
}
