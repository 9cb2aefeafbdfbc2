/// A run's lifecycle state: the `run.status` column, the trainer host's phase, and every message that names a
/// status. Stored as the raw value; the names never change.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running, paused, done, failed, interrupted, stopped
    /// A writer is expected to be attached.
    public var isLive: Bool { self == .running || self == .paused }
}

/// Who wrote a run (the `run.source` column).
public enum RunSource: String, Sendable, Codable {
    case siamon, pytorch
    case imported = "import"
}
