import Foundation
import RunCore
#if canImport(Glibc)
import Glibc
#endif

/// One row of the `command` table.
public struct CommandRecord: Sendable, Equatable {
    public var id: Int64
    public var runId: Int64
    public var command: RunCommand?
    public var kind: String
    public var issuerPid: Int32
    public var issuerHost: String
    public var issuedAt: Double
    public var claimedAt: Double?
    public var doneAt: Double?
    public var state: CommandState
    public var result: String?
}

/// Why a command could not even be issued. One line each.
public enum CommandIssueError: Error, CustomStringConvertible, Equatable {
    case runNotLive(run: String, status: RunStatus)
    public var description: String {
        switch self {
        case let .runNotLive(run, status): "\(run): run is \(status.rawValue); only running or paused runs take commands"
        }
    }
}

// MARK: - The command channel (docs/command-channel.md)
extension MetricsDatabase {
    /// Inserts a pending command for a live run and returns its id. A run that is not live gets a refused
    /// row (so its history shows the attempt) and `CommandIssueError.runNotLive`.
    @discardableResult
    public func issue(_ command: RunCommand, run name: String, now: Double = Date().timeIntervalSince1970) throws -> Int64 {
        let summary = try run(named: name)
        let live = Self.ownerAlive(summary, now: now)
        // A live status whose writer is gone reads as what the next open will mark it: interrupted.
        let status: RunStatus = live || !summary.status.isLive ? summary.status : .interrupted
        let id = try write { c in
            let s = try c.statement("""
                INSERT INTO command (runId, kind, argument, issuerPid, issuerHost, issuedAt, state, doneAt, result)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try s.bind([.int(summary.id), .text(command.kind.rawValue), command.argument.map { .double($0) } ?? .null,
                        .int(Int64(getpid())), .text(storeHostName), .double(now),
                        .text(live ? CommandState.pending.rawValue : CommandState.refused.rawValue),
                        live ? .null : .double(now), live ? .null : .text("run is \(status.rawValue)")])
            try s.run()
            return c.lastInsertRowID
        }
        guard live else { throw CommandIssueError.runNotLive(run: name, status: status) }
        return id
    }

    /// The owner's claim: every pending command of the run becomes `claimed`, exactly once across processes
    /// (one UPDATE inside a write transaction), returned in issue order.
    public func claimCommands(runId: Int64, now: Double = Date().timeIntervalSince1970) throws -> [IssuedCommand] {
        try write { c in try Self.claimCommands(c, runId: runId, now: now) }
    }

    static func claimCommands(_ c: Connection, runId: Int64, now: Double) throws -> [IssuedCommand] {
        var claimed: [(Int64, String, Double?)] = []
        try c.rows("UPDATE command SET state = 'claimed', claimedAt = ? WHERE runId = ? AND state = 'pending' RETURNING id, kind, argument",
                   [.double(now), .int(runId)]) { s in claimed.append((s.int(0), s.text(1), s.optionalDouble(2))) }
        var out: [IssuedCommand] = []
        for (id, kind, arg) in claimed.sorted(by: { $0.0 < $1.0 }) {
            if let cmd = RunCommand(kind: kind, argument: arg) {
                out.append(IssuedCommand(id: id, command: cmd))
            } else {
                try finishCommand(c, id: id, .refused("unknown command \(kind) (argument \(arg.map { String($0) } ?? "none"))"), now: now)
            }
        }
        return out
    }

    /// Records the owner's answer to a claimed command.
    public func finishCommand(id: Int64, _ outcome: CommandOutcome, now: Double = Date().timeIntervalSince1970) throws {
        try write { c in try Self.finishCommand(c, id: id, outcome, now: now) }
    }

    static func finishCommand(_ c: Connection, id: Int64, _ outcome: CommandOutcome, now: Double) throws {
        let s = try c.statement("UPDATE command SET state = ?, doneAt = ?, result = ? WHERE id = ? AND state IN ('pending','claimed')")
        try s.bind([.text(outcome.state.rawValue), .double(now), .text(outcome.result), .int(id)])
        try s.run()
    }

    /// Ends every unanswered command of a run that has ended (its writer finished): pending and claimed rows
    /// are refused with the run's final status, so no issuer waits for an owner that is gone.
    static func refuseOpenCommands(_ c: Connection, runId: Int64, status: RunStatus, now: Double) throws {
        let s = try c.statement("UPDATE command SET state = 'refused', doneAt = ?, result = ? WHERE runId = ? AND state IN ('pending','claimed')")
        try s.bind([.double(now), .text("run is \(status.rawValue)"), .int(runId)])
        try s.run()
    }

    /// Expires the unanswered commands of runs whose owner is not alive; returns how many expired.
    @discardableResult
    public func expireOrphanedCommands(now: Double = Date().timeIntervalSince1970) throws -> Int {
        let open = try commands(where: "state IN ('pending','claimed')")
        guard !open.isEmpty else { return 0 }
        let runs = Dictionary(try self.runs(now: now, resolveVanished: false).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var n = 0
        for cmd in open {
            guard let r = runs[cmd.runId] else { continue }
            let ownerAlive = r.status.isLive && !Self.writerVanished(r, now: now)
            guard !ownerAlive else { continue }
            let why = r.status.isLive || r.status == .interrupted
                ? "owner not responding since \(Self.isoTime(r.heartbeat))" : "run is \(r.status.rawValue)"
            try write { c in
                let s = try c.statement("UPDATE command SET state = ?, doneAt = ?, result = ? WHERE id = ? AND state IN ('pending','claimed')")
                try s.bind([.text(r.status.isLive || r.status == .interrupted ? "expired" : "refused"), .double(now), .text(why), .int(cmd.id)])
                try s.run()
                n += c.changes
            }
        }
        return n
    }

    public func command(id: Int64) throws -> CommandRecord? {
        try commands(where: "id = \(id)").first
    }

    /// A run's commands, oldest first (the history the TUI and `ctl` show).
    public func commands(runId: Int64) throws -> [CommandRecord] {
        try commands(where: "runId = \(runId)")
    }

    func commands(where clause: String) throws -> [CommandRecord] {
        var out: [CommandRecord] = []
        try with { c in
            try c.rows("""
                SELECT id, runId, kind, argument, issuerPid, issuerHost, issuedAt, claimedAt, doneAt, state, result
                FROM command WHERE \(clause) ORDER BY id
                """) { s in
                let kind = s.text(2)
                out.append(CommandRecord(
                    id: s.int(0), runId: s.int(1), command: RunCommand(kind: kind, argument: s.optionalDouble(3)), kind: kind,
                    issuerPid: Int32(truncatingIfNeeded: s.int(4)), issuerHost: s.text(5), issuedAt: s.double(6),
                    claimedAt: s.optionalDouble(7), doneAt: s.optionalDouble(8),
                    state: CommandState(rawValue: s.text(9)) ?? .refused, result: s.optionalText(10)))
            }
        }
        return out
    }

    static func isoTime(_ t: Double?) -> String {
        guard let t else { return "never" }
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
