import MetricsStore
import RunCore

extension Table3 {
    /// A Table 3 row from the store: the switches read from the run's recorded config JSON by key path (keys the
    /// run predates are the official setting), the latest probe, the last loss and the training wall time.
    public static func row(_ s: RunSummary, configJSON: String) -> Row {
        let p = s.latestProbe
        return Row(name: s.name, switches: switchValues(LiveMapping.flattenJSON(configJSON)), linear: p?.linear, knn: p?.knn,
                   finalLoss: s.lastLoss, wallSeconds: RunCache.wallSeconds(s),
                   subsetProbe: p.map { $0.protocolName != "probe-v1" } ?? false)
    }

    /// Rows for `runs`, in the given order, from one read of their configs.
    public static func rows(_ runs: [RunSummary], db: MetricsDatabase) throws -> [Row] {
        let configs = try db.configs(runIds: runs.map(\.id))
        return runs.map { row($0, configJSON: configs[$0.id] ?? "{}") }
    }
}
