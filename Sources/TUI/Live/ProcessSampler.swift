import Foundation
import MetricsStore

/// CPU % and resident memory of the processes that write runs on this host, from /proc/<pid>/stat and
/// /proc/<pid>/statm. Runs on the StoreBridge thread, never on the UI thread.
struct ProcessSampler {
    private var previous: [Int32: (cpuSeconds: Double, at: Double)] = [:]
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The usage of the run's writer, or nil when it is on another host, has no pid, or is gone.
    mutating func sample(_ r: RunSummary, now: Double = Date().timeIntervalSince1970) -> ProcessUsage? {
        guard let pid = r.writerPid, pid > 0, r.writerHost == storeHostName,
              let cpu = Self.cpuSeconds(pid), let rss = Self.residentBytes(pid) else { return nil }
        var percent: Double?
        if let p = previous[pid], now > p.at { percent = max(0, (cpu - p.cpuSeconds) / (now - p.at) * 100) }
        previous[pid] = (cpu, now)
        return ProcessUsage(pid: pid, cpuPercent: percent, residentBytes: rss)
    }

    /// utime + stime (fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name,
    /// which may itself hold spaces and parentheses).
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so field n is fields[n - 3].
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (u + s) / ticksPerSecond
    }

    /// The second field of /proc/<pid>/statm (resident pages) in bytes.
    static func residentBytes(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let f = text.split(separator: " ")
        guard f.count > 1, let pages = Int(f[1]) else { return nil }
        return pages * pageSize
    }
}
