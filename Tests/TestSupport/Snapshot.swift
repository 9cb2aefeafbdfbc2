import Foundation
import Testing

/// Compares `actual` with the committed file `Snapshots/<name>.txt` next to the calling test file.
/// With RECORD_SNAPSHOTS=1, or when the file is missing, it writes the file and STILL fails ("recorded new
/// baseline"), so a baseline is only ever accepted by a second, deliberate run. A mismatch reports a line diff.
public func assertSnapshot(_ actual: String, named name: String, filePath: String = #filePath,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = dir.appendingPathComponent(name + ".txt")
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    let existing = try? String(contentsOf: url, encoding: .utf8)
    if record || existing == nil {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded new baseline \(url.path); check it, then run again without RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
        } catch {
            Issue.record("cannot write snapshot \(url.path): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = existing, expected != actual else { return }
    let diff = lineDiff(expected, actual)
    Issue.record("snapshot \(name) differs (re-record with RECORD_SNAPSHOTS=1 if intended):\n\(diff)", sourceLocation: sourceLocation)
}

/// The differing lines, numbered: "-" expected, "+" actual.
public func lineDiff(_ expected: String, _ actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    for i in 0..<max(a.count, b.count) {
        let x = i < a.count ? String(a[i]) : nil, y = i < b.count ? String(b[i]) : nil
        guard x != y else { continue }
        if let x { out.append(String(format: "%3d - ", i + 1) + x) }
        if let y { out.append(String(format: "%3d + ", i + 1) + y) }
        if out.count > 60 { out.append("… (more lines differ)"); break }
    }
    return out.joined(separator: "\n")
}
