/// Everything the store can report. Each message is one line: what happened, where, and what to do next.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case notADatabase(path: String)
    case corrupt(path: String, detail: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case newerSchema(path: String, migration: String)
    case readOnly(path: String)
    case cannotOpen(path: String, detail: String)
    case sqlite(path: String, code: Int32, message: String, sql: String)
    case duplicateRun(name: String)
    case noSuchRun(name: String)
    case badInput(file: String, line: Int, detail: String)
    case badStatus(String)
    case interrupted(what: String, detail: String)
    case emptyDatabase(path: String)
    case runsNotAFolder(path: String)
    case locked(path: String, statement: String, writers: [String])

    public var description: String {
        switch self {
        case .notADatabase(let p):
            return "\(p): not a SQLite database; move it away or pass another --runs DIR"
        case .corrupt(let p, let d):
            return "\(p): database is corrupt (\(d)); restore a copy or run `sqlite3 \(p) .recover`"
        case .truncated(let p, let e, let a):
            return "\(p): database is truncated (\(a) of \(e) bytes); restore a copy or run `sqlite3 \(p) .recover`"
        case .newerSchema(let p, let m):
            return "\(p): schema has migration '\(m)' that this siamon build does not know; upgrade siamon"
        case .readOnly(let p):
            return "\(p): database is read-only; fix its permissions (and its folder's) or pass another --runs DIR"
        case .cannotOpen(let p, let d):
            return "\(p): cannot open database (\(d)); check that the folder exists and is writable"
        case .sqlite(let p, let c, _, let s) where c == 5 || c == 6:   // SQLITE_BUSY, SQLITE_LOCKED
            return "\(p): database is locked: another process held its write lock for over \(MetricsDatabase.busyTimeoutMilliseconds / 1000) s (during `\(s.prefix(40))`); wait for that writer to finish and retry (`siamon runs` lists running writers; `fuser \(p)` names every process that has the file open)"
        case .sqlite(let p, let c, let m, let s):
            return "\(p): SQLite error \(c) (\(m)) in `\(s.prefix(80))`"
        case .locked(let p, let s, let writers):
            let who = writers.isEmpty ? "another process" : "another process (live writers: \(writers.joined(separator: ", ")))"
            return "\(p): database is locked: \(who) held its write lock for over \(MetricsDatabase.busyTimeoutMilliseconds / 1000) s (during `\(s.prefix(40))`); wait for that writer to finish and retry (`fuser \(p)` names every process that has the file open)"
        case .emptyDatabase(let p):
            return "\(p): the database file is empty (0 bytes) and holds no runs; delete it (the next train or import creates a new one) or restore a copy"
        case .runsNotAFolder(let p):
            return "\(p): the runs folder is a file, not a folder; pass --runs DIR (or set SIAMON_RUNS) to a folder, or move the file away"
        case .duplicateRun(let n):
            return "a run named '\(n)' already exists; pick another --name"
        case .noSuchRun(let n):
            return "no run named '\(n)'; `siamon runs` lists the runs"
        case .badInput(let f, let l, let d):
            return l > 0 ? "\(f):\(l): \(d)" : "\(f): \(d)"
        case .interrupted(let what, let detail):
            return "\(what) interrupted; \(detail)"
        case .badStatus(let s):
            return "unknown run status '\(s)'; use running, paused, done, failed, interrupted or stopped"
        }
    }
}
