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
        case .sqlite(let p, let c, let m, let s):
            return "\(p): SQLite error \(c) (\(m)) in `\(s.prefix(80))`"
        case .duplicateRun(let n):
            return "a run named '\(n)' already exists; pick another --name"
        case .noSuchRun(let n):
            return "no run named '\(n)'; `siamon runs` lists the runs"
        case .badInput(let f, let l, let d):
            return "\(f):\(l): \(d)"
        case .badStatus(let s):
            return "unknown run status '\(s)'; use running, paused, done, failed, interrupted or stopped"
        }
    }
}
