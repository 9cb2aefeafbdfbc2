import CSQLite
import Foundation
import Synchronization

/// Database files this process has a connection to. POSIX record locks belong to the process, and closing
/// ANY descriptor of a file drops all of them: a raw open()/close() of the database (the header check) while
/// a connection is open would silently release SQLite's locks, and another process could then delete the
/// live -wal file under us (seen: a headless run's writes became invisible to `siamon watch`).
enum OpenFiles {
    private static let counts = Mutex<[String: Int]>([:])
    static func key(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
    static func opened(_ path: String) { counts.withLock { $0[key(path), default: 0] += 1 } }
    static func closed(_ path: String) {
        counts.withLock { c in let k = key(path); c[k] = (c[k] ?? 1) - 1; if c[k]! <= 0 { c[k] = nil } }
    }
    static func isOpen(_ path: String) -> Bool { counts.withLock { $0[key(path)] != nil } }
}

/// One sqlite3 connection. Not thread-safe by itself: its owner (MetricsDatabase) serialises access.
/// Statements are prepared once and cached by SQL text.
final class Connection {
    let path: String
    let readOnly: Bool
    private(set) var handle: OpaquePointer?
    private var cache: [String: Statement] = [:]

    init(path: String, readOnly: Bool) throws {
        self.path = path
        self.readOnly = readOnly
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        if rc != SQLITE_OK {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError.cannotOpen(path: path, detail: msg)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        OpenFiles.opened(path)
    }

    deinit { close() }

    func close() {
        for s in cache.values { s.finalize() }
        cache.removeAll()
        if let h = handle { sqlite3_close_v2(h); OpenFiles.closed(path) }
        handle = nil
    }

    /// Maps a SQLite result code to the one-line StoreError that says what to do.
    func error(_ rc: Int32, sql: String) -> StoreError {
        let primary = rc & 0xff
        let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        switch primary {
        case SQLITE_NOTADB: return .notADatabase(path: path)
        case SQLITE_CORRUPT: return .corrupt(path: path, detail: msg)
        case SQLITE_READONLY: return .readOnly(path: path)
        default: return .sqlite(path: path, code: rc, message: msg, sql: sql)
        }
    }

    /// Runs one or more statements that return no rows we need.
    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if let e = err { sqlite3_free(e) }
        if rc != SQLITE_OK { throw error(rc, sql: sql) }
    }

    /// A cached prepared statement, reset and with its bindings cleared.
    func statement(_ sql: String) throws -> Statement {
        if let s = cache[sql] { s.reset(); return s }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let stmt = raw else { throw error(rc, sql: sql) }
        let s = Statement(stmt, connection: self, sql: sql)
        cache[sql] = s
        return s
    }

    /// The first column of the first row, as Int64 (nil when there is no row or it is NULL).
    func scalarInt(_ sql: String, _ args: [SQLValue] = []) throws -> Int64? {
        var v: Int64?
        try rows(sql, args, limit: 1) { s in v = s.optionalInt(0) }
        return v
    }

    /// Steps through the rows of a query, calling `body` for each (up to `limit`), and always resets the
    /// statement: a statement left mid-step would pin an old WAL snapshot and hide newer commits.
    func rows(_ sql: String, _ args: [SQLValue] = [], limit: Int = .max, _ body: (Statement) throws -> Void) throws {
        let s = try statement(sql)
        defer { s.reset() }
        try s.bind(args)
        var n = 0
        while n < limit, try s.step() { try body(s); n += 1 }
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE")
        do {
            let r = try body()
            try exec("COMMIT")
            return r
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}
