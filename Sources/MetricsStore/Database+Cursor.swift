// MARK: - Reads for an inspected chart and for incremental event polling
extension MetricsDatabase {
    /// The logged point of `key` nearest to `step` (the earlier one on a tie), exactly as stored: two index
    /// seeks, whatever the length of the series. nil when the run never logged the key.
    public func nearestPoint(runId: Int64, key: String, step: Int) throws -> ScalarPoint? {
        try with { c in
            guard let kid = try Self.keyId(c, key) else { return nil }
            var below: ScalarPoint?, above: ScalarPoint?
            let args: [SQLValue] = [.int(runId), .int(kid), .int(Int64(step))]
            try c.rows("SELECT step, value, wallTime FROM scalar WHERE runId = ? AND keyId = ? AND step <= ? ORDER BY step DESC LIMIT 1", args) { s in
                below = ScalarPoint(runId: runId, key: key, step: Int(s.int(0)), value: s.double(1), wallTime: s.optionalDouble(2))
            }
            if below?.step == step { return below }
            try c.rows("SELECT step, value, wallTime FROM scalar WHERE runId = ? AND keyId = ? AND step >= ? ORDER BY step LIMIT 1", args) { s in
                above = ScalarPoint(runId: runId, key: key, step: Int(s.int(0)), value: s.double(1), wallTime: s.optionalDouble(2))
            }
            guard let b = below else { return above }
            guard let a = above else { return b }
            return a.step - step < step - b.step ? a : b
        }
    }

    /// The run's events with an id above `afterId`, in id order: a poller keeps the last id it saw as its
    /// cursor and reads only what is new.
    public func events(runId: Int64, afterId: Int64) throws -> [EventRecord] {
        var out: [EventRecord] = []
        try with { c in
            try c.rows("SELECT id, runId, step, wallTime, kind, detail FROM event WHERE runId = ? AND id > ? ORDER BY id",
                       [.int(runId), .int(afterId)]) { s in out.append(Self.eventRow(s)) }
        }
        return out
    }
}
