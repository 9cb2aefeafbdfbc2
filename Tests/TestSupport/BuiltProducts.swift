import Foundation

/// The repository's root folder (this file is Tests/TestSupport/BuiltProducts.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The one locator of built programs (`siamon`, the fuzz targets, TrapProbe): next to the running test
/// bundle (.build/<triple>/debug/), else .build/debug in the repository. nil when it was not built.
public func builtProduct(_ name: String) -> String? {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fallback = repositoryRoot.appendingPathComponent(".build/debug/\(name)").path
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
}

/// The built `siamon` (the path where it would be when it was not built, so a test can say so).
public var siamonBinary: String { builtProduct("siamon") ?? repositoryRoot.appendingPathComponent(".build/debug/siamon").path }
