import Foundation
import MetricsStore
import RunCore
import SiamTrain

/// What the store reader remembers between refreshes: run ids, decoded configs, planned schedules already
/// sent, snapshot steps already sent. Lives on the StoreBridge thread only.
struct RunCache {
    var ids: [String: Int64] = [:]
    var configs: [String: RunConfig?] = [:]
    var flattened: [String: [String: String]] = [:]
    var plannedSent: Set<String> = []
    var snapshotSteps: [String: Set<Int>] = [:]
    var eventCount: [String: Int] = [:]

    /// The run list, plus planned schedules for runs seen for the first time and new events.
    mutating func refresh(_ db: MetricsDatabase, live: [String: HostStatus]) throws -> [AppEvent] {
        let summaries = try db.runs()
        var rows: [RunRow] = []
        var out: [AppEvent] = []
        for s in summaries {
            ids[s.name] = s.id
            if configs[s.name] == nil { decodeConfig(db, s) }
            let config = configs[s.name] ?? nil
            let total = config.map { RunPlan.totalSteps($0) } ?? max(s.steps, 1)
            var row = RunRow(id: s.name, name: s.name, status: LiveMapping.status(s.status), source: s.source,
                             step: s.steps, totalSteps: total,
                             epoch: config.map { Double(s.steps) / Double(RunPlan.stepsPerEpoch($0)) } ?? 0,
                             lastLoss: s.lastLoss, sparkline: try sparkline(db, s.id),
                             probeLinear: s.latestProbe?.linear.map { $0 / 100 }, probeKnn: s.latestProbe?.knn.map { $0 / 100 },
                             config: flattened[s.name] ?? [:],
                             parent: s.parent.flatMap { p in summaries.first { $0.id == p.runId }.map { "\($0.name)@\(p.step)" } },
                             wallSeconds: Self.wallSeconds(s), probeProtocol: s.latestProbe?.protocolName)
            if MetricsDatabase.stalledSeconds(s, now: Date().timeIntervalSince1970) != nil { row.status = .stalled }
            if s.status.isLive { row.owner = LiveDriver.ownerText(s) }
            if let h = live[s.name] {
                row.status = LiveMapping.status(h)
                row.step = max(row.step, h.step)
            }
            rows.append(row)
            if let config, !plannedSent.contains(s.name) {
                plannedSent.insert(s.name)
                out.append(RunPlan.planned(run: s.name, config: config))
            }
            out.append(contentsOf: try newEvents(db, run: s.name, id: s.id))
            out.append(.status(runId: s.name, try status(db, s, row: row, live: live[s.name])))
        }
        return [.runs(rows)] + out
    }

    mutating func decodeConfig(_ db: MetricsDatabase, _ s: RunSummary) {
        let json = (try? db.configs(runIds: [s.id]))?[s.id] ?? ""
        let config = try? RunConfig.decode(json: json, source: "run \(s.name)")
        configs[s.name] = .some(config)
        // The decoded config's own names first; keys it does not know (switches added later) from the raw JSON.
        let raw = LiveMapping.flattenJSON(json)
        flattened[s.name] = config.map { raw.merging($0.flattened().map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b }) }
            ?? raw
    }

    /// Training wall time: creation to end, else to the last heartbeat (to now while the writer is alive).
    static func wallSeconds(_ s: RunSummary, now: Double = Date().timeIntervalSince1970) -> Double? {
        guard let end = s.endedAt ?? (s.status == .running || s.status == .paused ? now : s.heartbeat) else { return nil }
        return max(0, end - s.createdAt)
    }

    func sparkline(_ db: MetricsDatabase, _ id: Int64) throws -> [Double] {
        try db.series(runId: id, key: "loss", columns: 24).map(\.last).filter(\.isFinite)
    }

    func status(_ db: MetricsDatabase, _ s: RunSummary, row: RunRow, live: HostStatus?) throws -> StatusInfo {
        if let r = live?.lastReport {
            let remaining = Double(max(0, row.totalSteps - row.step))
            return StatusInfo(step: row.step, totalSteps: row.totalSteps, epoch: r.epoch, loss: r.loss, lr: r.learningRate,
                              momentum: r.emaMomentum, gradNorm: r.gradNorm, imagesPerSecond: r.imagesPerSecond,
                              etaSeconds: live?.phase == .running ? remaining * r.seconds : nil)
        }
        func last(_ key: String) throws -> Double? { try db.series(runId: s.id, key: key, columns: 1).last?.last }
        return StatusInfo(step: row.step, totalSteps: row.totalSteps, epoch: row.epoch, loss: s.lastLoss, lr: try last("lr"),
                          momentum: try last("ema_momentum"), gradNorm: try last("grad_norm"),
                          imagesPerSecond: try last("images_per_s"))
    }

    mutating func newEvents(_ db: MetricsDatabase, run: String, id: Int64) throws -> [AppEvent] {
        let events = try db.events(runId: id)
        guard events.count != eventCount[run] else { return [] }
        eventCount[run] = events.count
        return [.events(runId: run, events.compactMap(LiveMapping.event))]
    }

    mutating func series(_ db: MetricsDatabase, run: String, key: String, columns: Int, xMode: XMode) throws -> AppEvent {
        // A request can come before the first run-list refresh (compare opened from the command line): look the
        // id up rather than answer empty, which the UI would keep as "no data" for a finished run.
        if ids[run] == nil { ids[run] = try? db.runId(named: run) }
        guard let id = ids[run] else { return .series(runId: run, key: key, Series(key: key, xMode: xMode, data: .buckets([]))) }
        let storeKey = key == "momentum" ? "ema_momentum" : key
        let buckets = try db.series(runId: id, key: storeKey, columns: max(1, columns))
        var mapped = buckets.map(LiveMapping.bucket)
        if xMode != .step { mapped = try LiveMapping.toTime(mapped, db: db, runId: id, relative: xMode == .relativeTime) }
        return .series(runId: run, key: key, Series(key: key, xMode: xMode, data: .buckets(mapped)))
    }

    mutating func newSnapshots(_ db: MetricsDatabase, run: String) throws -> [AppEvent] {
        guard let id = ids[run] else { return [] }
        var seen = snapshotSteps[run] ?? []
        var out: [AppEvent] = []
        for step in try db.snapshotSteps(runId: id).suffix(32) where !seen.contains(step) {
            seen.insert(step)
            if let s = try db.snapshot(runId: id, step: step) { out.append(.snapshot(runId: run, LiveMapping.snapshot(s))) }
        }
        snapshotSteps[run] = seen
        return out
    }
}
