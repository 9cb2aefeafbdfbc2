import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Synchronization

/// A run waiting for a free slot (`siamon train --sweep`): the driver starts it when fewer than `parallel`
/// runs are training or being probed, and probes it when it finishes.
public struct QueuedRun: Sendable {
    public let preset: String
    public let name: String
    public let overrides: [String: String]
    public let config: RunConfig
}

/// What the driver's queue does with each run: how many at once, and the probe at the end.
public struct QueuePolicy: Sendable, Equatable {
    public var parallel: Int
    public var probe: Bool
    /// Probe only the first N train and test images (stored as probe-v1-subset); nil = full probe-v1.
    public var probeLimit: Int?
    public init(parallel: Int = 1, probe: Bool = true, probeLimit: Int? = nil) {
        self.parallel = parallel; self.probe = probe; self.probeLimit = probeLimit
    }
}

extension RunEngine {
    /// Queues runs from presets, checking every preset, override and name now, so a bad sweep fails before
    /// anything starts. Throws the first problem as a one-line error.
    public static func queue(presets: [(preset: String, name: String)], overrides: [String]) throws -> [QueuedRun] {
        var seen = Set<String>()
        return try presets.map { p in
            try RunName.validate(p.name)
            guard seen.insert(p.name).inserted else { throw SweepQueueError.duplicateName(p.name) }
            let config = try Presets.load(nameOrPath: p.preset).applying(overrides: overrides)
            let pairs = overrides.compactMap { o -> (String, String)? in
                guard let eq = o.firstIndex(of: "=") else { return nil }
                return (String(o[..<eq]), String(o[o.index(after: eq)...]))
            }
            return QueuedRun(preset: p.preset, name: p.name, overrides: Dictionary(pairs, uniquingKeysWith: { _, b in b }), config: config)
        }
    }

    /// Adds runs to the queue; they start as slots free up (see `pumpQueue`).
    public func enqueue(_ runs: [QueuedRun], policy: QueuePolicy) {
        queuePolicy = policy
        queued.append(contentsOf: runs)
        notices.post("queued \(runs.count) run(s), \(policy.parallel) at a time")
    }

    /// The runs still waiting for a slot, in order.
    public var waiting: [QueuedRun] { queued }

    /// True when nothing is queued, starting, training (from the queue) or being probed.
    public var queueIdle: Bool { queued.isEmpty && pendingStarts.isEmpty && watched.isEmpty && probes.count == 0 }

    /// Slots in use: live runs, starts on their way, probes running.
    var busySlots: Int { hosts.values.filter { $0.host.status.isLive }.count + pendingStarts.count + probes.count }

    /// Called each poll: reports queued runs that ended, probes them, and starts the next ones.
    func pumpQueue() {
        for name in pendingStarts where hosts[name] != nil || adopted.takeFailure(name) {
            pendingStarts.remove(name)
            if hosts[name] == nil { watched.remove(name) }
        }
        for name in watched.sorted() {
            guard let run = hosts[name], !run.host.status.isLive else { continue }
            watched.remove(name)
            let st = run.host.status
            let loss = st.lastReport.map { String(format: "%.4f", $0.loss) } ?? "-"
            notices.post("\(st.phase.rawValue): \(name) \(st.step)/\(st.totalSteps) steps, final loss \(loss)")
            if st.phase == .done && queuePolicy.probe { probe(name, limit: queuePolicy.probeLimit) }
        }
        while busySlots < max(1, queuePolicy.parallel), !queued.isEmpty {
            let q = queued.removeFirst()
            pendingStarts.insert(q.name)
            watched.insert(q.name)
            start(preset: q.preset, name: q.name, overrides: q.overrides, forkOf: nil)
        }
    }

    /// `d` (stop) on a queued run takes it out of the queue.
    public func dequeue(_ run: String) -> Bool {
        guard let i = queued.firstIndex(where: { $0.name == run }) else { return false }
        queued.remove(at: i)
        notices.post("\(run) removed from the queue")
        return true
    }
}

enum SweepQueueError: Error, CustomStringConvertible {
    case duplicateName(String)
    var description: String {
        switch self {
        case .duplicateName(let n): "run name \(n) appears twice in the queue; give each run its own name"
        }
    }
}
