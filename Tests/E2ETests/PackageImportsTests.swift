import Foundation
import Testing
import TestSupport

/// Package.swift lists exactly what each module imports: an import it does not declare, or a declared
/// dependency the module never imports, fails here (system libraries and external products aside).
/// `--ignore-lock`: the running `swift test` holds the package lock.
@Suite struct PackageImportsTests {
    @Test func declaredDependenciesEqualImports() throws {
        let r = spawnAndWait("swift", ["package", "--ignore-lock", "--package-path", CLIRunner.repoRoot.path, "dump-package"], timeout: 120)
        guard r.status == 0 else { Issue.record("swift package dump-package failed: \(r.stderr)"); return }
        let package = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let targets = try #require(package["targets"] as? [[String: Any]])
        let local = Dictionary(uniqueKeysWithValues: targets.compactMap { t in (t["name"] as? String).map { ($0, t) } })
        var drift: [String] = []
        for (name, t) in local where (t["type"] as? String) != "system" {
            let dir = (t["path"] as? String) ?? ((t["type"] as? String) == "test" ? "Tests/" : "Sources/") + name
            let imports = Self.imports(in: CLIRunner.repoRoot.appendingPathComponent(dir)).filter { local[$0] != nil }
            let declared = Self.dependencies(t).filter { local[$0] != nil }
            for i in imports.subtracting(declared).sorted() { drift.append("\(name) imports \(i), which Package.swift does not declare") }
            // An executable dependency is how a test target gets the binary it spawns built; it is never imported.
            for d in declared.subtracting(imports).sorted()
            where !["system", "executable"].contains(local[d]?["type"] as? String ?? "") && !d.hasPrefix("C") {
                drift.append("\(name) declares \(d), which it never imports")
            }
        }
        #expect(drift.isEmpty, "\(drift.sorted().joined(separator: "\n"))")
    }

    static func dependencies(_ t: [String: Any]) -> Set<String> {
        var out: Set<String> = []
        for d in t["dependencies"] as? [[String: Any]] ?? [] {
            for key in ["byName", "target"] { if let v = d[key] as? [Any], let n = v.first as? String { out.insert(n) } }
        }
        return out
    }

    static func imports(in dir: URL) -> Set<String> {
        var out: Set<String> = []
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let pattern = try! NSRegularExpression(pattern: #"^(?:@testable |@_exported )?import ([A-Za-z_]+)"#, options: .anchorsMatchLines)
        for f in files where f.pathExtension == "swift" {
            guard let text = try? String(contentsOf: f, encoding: .utf8) else { continue }
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let r = Range(m.range(at: 1), in: text) { out.insert(String(text[r])) }
            }
        }
        return out
    }
}
