import Foundation

/// Refuses a config whose `MemoryEstimate` exceeds the memory this process may use: physical memory
/// (/proc/meminfo MemTotal), or the cgroup limit when one is set and lower.
public enum MemoryCheck {
    public struct TooLarge: Error, CustomStringConvertible, Sendable {
        public let what: String
        public let needs: String
        public let limit: Double
        public let limitName: String
        public var advice = "lower train.batch_size, model.dim or model.depth (--describe shows the estimate)"
        public var description: String {
            "\(what): needs \(needs); \(limitName) has \(MemoryEstimate.gb(limit)); \(advice)"
        }
    }

    /// Throws `TooLarge` when `config` at `batch` (default: its own) does not fit. `what` names the command.
    public static func require(_ config: RunConfig, batch: Int? = nil, what: String,
                               limit: (bytes: Double, name: String)? = MemoryCheck.limit()) throws {
        guard let limit else { return }
        let b = batch ?? config.train.batchSize
        try require(MemoryEstimate(config: config, batch: b), batch: b, what: what, limit: limit)
    }

    /// Throws `TooLarge` when the probe of `config` does not fit.
    public static func requireProbe(_ config: RunConfig, what: String,
                                    limit: (bytes: Double, name: String)? = MemoryCheck.limit()) throws {
        try require(MemoryEstimate(probe: config), batch: FeatureExtractor.defaultChunk, what: what, limit: limit,
                    advice: "the model's width and depth set this; probe it on a machine with more memory")
    }

    static func require(_ e: MemoryEstimate, batch: Int, what: String, limit: (bytes: Double, name: String)?,
                        advice: String? = nil) throws {
        guard let limit, e.totalBytes > limit.bytes else { return }
        var error = TooLarge(what: what, needs: e.text(batch: batch), limit: limit.bytes, limitName: limit.name)
        if let advice { error.advice = advice }
        throw error
    }

    /// The smaller of physical memory and the cgroup memory limit, with the name to show; nil when unknown.
    /// `SIAMON_MEMORY_LIMIT_GB` replaces both (to plan for a smaller machine, and for tests).
    public static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) -> (bytes: Double, name: String)? {
        if let text = environment["SIAMON_MEMORY_LIMIT_GB"], let gb = Double(text), gb > 0 {
            return (gb * 1e9, "SIAMON_MEMORY_LIMIT_GB")
        }
        var best: (Double, String)?
        if let total = meminfoTotal() { best = (total, "this machine") }
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let v = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), v > 0 else { continue }
            if v < best?.0 ?? .infinity { best = (v, "this process's memory limit (cgroup)") }
        }
        return best
    }

    static func meminfoTotal() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kb = Double(parts[1]) { return kb * 1024 }
        }
        return nil
    }
}
