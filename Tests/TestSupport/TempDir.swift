import Foundation

/// The one temporary folder of the tests: a fresh folder under /tmp, removed when the value is dropped.
public final class TempDir: @unchecked Sendable {
    public let path: String
    public init(_ label: String = "store") {
        path = NSTemporaryDirectory() + "siamon-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    public var url: URL { URL(fileURLWithPath: path) }
    /// The metrics store inside it.
    public var db: String { path + "/siamon.sqlite" }
    public func file(_ name: String) -> String { path + "/" + name }

    /// A fresh folder that outlives any value, for helpers that hand out a bare path.
    public static func fresh(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "siamon-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
