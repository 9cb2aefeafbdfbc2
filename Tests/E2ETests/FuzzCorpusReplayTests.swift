import Foundation
import Testing

/// The committed fuzz corpora (Tests/Fixtures/fuzz/<target>/) replayed through the fuzz targets' plain builds
/// in every `make test`: inputs that once crashed a parser stay fixed. `make fuzz` grows them with libFuzzer.
@Suite("Fuzz corpora replay")
struct FuzzCorpusReplayTests {
    static let targets = ["FuzzImporter": "importer", "FuzzCSV": "csv", "FuzzSafetensors": "safetensors", "FuzzPreset": "preset",
                          "FuzzIDX": "idx", "FuzzTheme": "theme"]

    static func binary(_ name: String) -> String {
        builtProduct(name) ?? URL(fileURLWithPath: CLIRunner.executable).deletingLastPathComponent().appendingPathComponent(name).path
    }

    @Test(arguments: targets.keys.sorted())
    func everyCorpusInputParsesWithoutACrash(target: String) throws {
        let corpus = CLIRunner.repoRoot.appendingPathComponent("Tests/Fixtures/fuzz/" + Self.targets[target]!)
        let count = try FileManager.default.contentsOfDirectory(atPath: corpus.path).count
        #expect(count >= 4)
        let r = spawnReplay(Self.binary(target), corpus.path)
        #expect(r.status == 0, "\(target) exit \(r.status): \(String(r.stderr.prefix(500)))")
        #expect(r.stdout == "\(target): replayed \(count) inputs without a crash\n")
    }

    func spawnReplay(_ exe: String, _ dir: String) -> (status: Int32, stdout: String, stderr: String) {
        guard FileManager.default.isExecutableFile(atPath: exe) else { return (-1, "", "\(exe) is not built") }
        let r = try? CLIRunner.wait(CLIRunner.start([dir], executable: exe), timeout: 120)
        return (r?.status ?? -1, r?.stdout ?? "", r?.stderr ?? "spawn failed")
    }
}
