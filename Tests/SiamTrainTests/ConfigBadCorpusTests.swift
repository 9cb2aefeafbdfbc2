import Foundation
import RunCore
import Testing
@testable import SiamTrain

let badCorpus = repoRoot.appendingPathComponent("Tests/Fixtures/bad")

/// Every file under `dir` with its bytes, to prove a run over the corpus modified nothing.
func snapshot(_ dir: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    let e = FileManager.default.enumerator(atPath: dir.path)
    while let rel = e?.nextObject() as? String {
        if let d = FileManager.default.contents(atPath: dir.appendingPathComponent(rel).path) { out[rel] = d }
    }
    return out
}

/// (case name, case file, expected line) for every `<case><ext>` with a `<case>.expected` next to it.
func corpusCases(_ sub: String, ext: String) throws -> [(name: String, file: URL, expected: String)] {
    let dir = badCorpus.appendingPathComponent(sub)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(ext) }.sorted()
    return try names.map { n in
        let name = String(n.dropLast(ext.count))
        let expected = try String(contentsOf: dir.appendingPathComponent(name + ".expected"), encoding: .utf8)
        return (name, dir.appendingPathComponent(n),
                expected.trimmingCharacters(in: .newlines).replacingOccurrences(of: "{dir}", with: dir.path))
    }
}

@Suite("Bad-input corpus: presets, --set, run names")
struct ConfigBadCorpusTests {
    @Test func presetCases() throws {
        let before = snapshot(badCorpus)
        let cases = try corpusCases("presets", ext: ".json")
        #expect(cases.count >= 20)
        for c in cases {
            let m = message { _ = try Presets.load(nameOrPath: c.file.path, presetsDir: presetsDir) }
            #expect(m == c.expected, "case \(c.name)")
            #expect(!m.contains("\n"), "case \(c.name)")
        }
        #expect(snapshot(badCorpus) == before)
    }

    @Test func overrideCases() throws {
        let before = snapshot(badCorpus)
        let preset = try Presets.load(nameOrPath: "fmnist-tiny", presetsDir: presetsDir)
        let original = preset.json()
        let cases = try corpusCases("overrides", ext: ".set")
        #expect(cases.count >= 5)
        for c in cases {
            let args = try String(contentsOf: c.file, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(message { _ = try preset.applying(overrides: args) } == c.expected, "case \(c.name)")
        }
        #expect(preset.json() == original)
        #expect(snapshot(badCorpus) == before)
    }

    @Test func runNameCases() throws {
        let data = try Data(contentsOf: badCorpus.appendingPathComponent("runnames.json"))
        let cases = try JSONSerialization.jsonObject(with: data) as! [[String: String]]
        #expect(cases.count >= 5)
        for c in cases {
            #expect(message { try RunName.validate(c["name"]!) } == c["expected"]!)
        }
    }
}
