import Foundation
import MetricsStore
import RunCore
import SiamTrain

/// What the store reader remembers between refreshes: run ids, decoded configs, planned schedules already
/// sent, snapshot steps already sent, each run's event cursor and first wall time. Lives on the StoreBridge
/// thread only.
struct RunCache {
    var ids: [String: Int64] = [:]
    var configs: [String: RunConfig?] = [:]
    var flattened: [String: [String: String]] = [:]
    var plannedSent: Set<String> = []
    var snapshotSteps: [String: Set<Int>] = [:]
    var events: [String: (lastId: Int64, marks: [EventMark])] = [:]
    var origins: [String: Double] = [:]
    var sampler = ProcessSampler()

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
            if row.status.isLive, let u = sampler.sample(s) { out.append(.usage(runId: s.name, u)) }
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

    /// Events past the run's cursor (the last event id seen); the marks so far go out only when there are new ones.
    mutating func newEvents(_ db: MetricsDatabase, run: String, id: Int64) throws -> [AppEvent] {
        var seen = events[run] ?? (0, [])
        let fresh = try db.events(runId: id, afterId: seen.lastId)
        guard let last = fresh.last else { return [] }
        seen.lastId = last.id
        seen.marks += fresh.compactMap(LiveMapping.event)
        seen.marks.sort { $0.step < $1.step }
        events[run] = seen
        return [.events(runId: run, seen.marks)]
    }

    mutating func series(_ db: MetricsDatabase, run: String, key: String, columns: Int, xMode: XMode,
                         steps: ClosedRange<Int>? = nil) throws -> AppEvent {
        // A request can come before the first run-list refresh (compare opened from the command line): look the
        // id up rather than answer empty, which the UI would keep as "no data" for a finished run.
        if ids[run] == nil { ids[run] = try? db.runId(named: run) }
        guard let id = ids[run] else { return .series(runId: run, key: key, Series(key: key, xMode: xMode, data: .buckets([]))) }
        let storeKey = Self.storeKey(key)
        let buckets = try db.series(runId: id, key: storeKey, columns: max(1, columns), xRange: steps)
        guard xMode != .step else { return .series(runId: run, key: key, Series(key: key, xMode: xMode, data: .buckets(buckets.map(LiveMapping.bucket)))) }
        let origin = xMode == .relativeTime ? try origin(db, run: run, id: id, key: storeKey) : 0
        let mapped = buckets.compactMap { LiveMapping.timeBucket($0, origin: origin) }
        return .series(runId: run, key: key, Series(key: key, xMode: xMode, data: .buckets(mapped)))
    }

    static func storeKey(_ key: String) -> String { key == "momentum" ? "ema_momentum" : key }

    /// The wall time of the run's first logged point of `key`: zero of the relative time axis.
    mutating func origin(_ db: MetricsDatabase, run: String, id: Int64, key: String) throws -> Double {
        if let o = origins[run] { return o }
        let first = try db.nearestPoint(runId: id, key: key, step: Int(Int64.min))?.wallTime
        if let first { origins[run] = first }
        return first ?? 0
    }

    /// The exact stored values nearest to `step` of every series a chart shows, for each run.
    mutating func readout(_ db: MetricsDatabase, runs: [String], step: Int) throws -> [AppEvent] {
        try runs.compactMap { run in
            if ids[run] == nil { ids[run] = try? db.runId(named: run) }
            guard let id = ids[run] else { return nil }
            var values: [String: LoggedValue] = [:]
            for key in Readout.keys {
                if let p = try db.nearestPoint(runId: id, key: Self.storeKey(key), step: step) {
                    values[key] = LoggedValue(step: p.step, value: p.value, wallTime: p.wallTime)
                }
            }
            return .readout(runId: run, Readout(step: step, values: values))
        }
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
