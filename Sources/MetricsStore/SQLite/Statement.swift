import CSQLite

/// A value to bind. NaN binds as NULL (SQLite does the same to a bound NaN; we make it explicit).
enum SQLValue {
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// A prepared statement owned by its Connection's cache.
final class Statement {
    private let stmt: OpaquePointer
    unowned let connection: Connection
    let sql: String

    init(_ stmt: OpaquePointer, connection: Connection, sql: String) {
        self.stmt = stmt; self.connection = connection; self.sql = sql
    }

    func finalize() { sqlite3_finalize(stmt) }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func bind(_ values: [SQLValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    func bind(_ v: SQLValue, at i: Int32) throws {
        let rc: Int32
        switch v {
        case .int(let x): rc = sqlite3_bind_int64(stmt, i, x)
        case .double(let x): rc = x.isNaN ? sqlite3_bind_null(stmt, i) : sqlite3_bind_double(stmt, i, x)
        case .text(let s): rc = sqlite3_bind_text(stmt, i, s, -1, csqlite_transient())
        case .blob(let b):
            rc = b.withUnsafeBytes { p in
                sqlite3_bind_blob64(stmt, i, p.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(b.count), csqlite_transient())
            }
        case .null: rc = sqlite3_bind_null(stmt, i)
        }
        if rc != SQLITE_OK { throw connection.error(rc, sql: sql) }
    }

    // Fast paths for the hot insert loop (no enum, no array).
    @inline(__always) func bindInt(_ x: Int64, at i: Int32) { sqlite3_bind_int64(stmt, i, x) }
    @inline(__always) func bindDouble(_ x: Double, at i: Int32) {
        if x.isNaN { sqlite3_bind_null(stmt, i) } else { sqlite3_bind_double(stmt, i, x) }
    }
    /// sqlite3_bind_double without our NaN mapping: lets a test observe what SQLite itself does with NaN.
    func bindDoubleUnmapped(_ x: Double, at i: Int32) { sqlite3_bind_double(stmt, i, x) }
    @inline(__always) func bindText(_ s: String, at i: Int32) { sqlite3_bind_text(stmt, i, s, -1, csqlite_transient()) }

    /// Steps once. true = a row is available; false = done.
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { sqlite3_reset(stmt); return false }
        let e = connection.error(rc, sql: sql)
        sqlite3_reset(stmt)
        throw e
    }

    /// Runs a statement that returns no rows; resets it for reuse (bindings kept for the fast paths).
    func run() throws {
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        if rc != SQLITE_DONE && rc != SQLITE_ROW { throw connection.error(rc, sql: sql) }
    }

    func isNull(_ c: Int32) -> Bool { sqlite3_column_type(stmt, c) == SQLITE_NULL }
    func int(_ c: Int32) -> Int64 { sqlite3_column_int64(stmt, c) }
    /// NULL reads back as NaN: that is how the schema stores NaN.
    func double(_ c: Int32) -> Double { isNull(c) ? .nan : sqlite3_column_double(stmt, c) }
    func optionalDouble(_ c: Int32) -> Double? { isNull(c) ? nil : sqlite3_column_double(stmt, c) }
    func text(_ c: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, c) else { return "" }
        return String(cString: p)
    }
    func optionalText(_ c: Int32) -> String? { isNull(c) ? nil : text(c) }
    func optionalInt(_ c: Int32) -> Int64? { isNull(c) ? nil : int(c) }
    func blob(_ c: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, c))
        guard n > 0, let p = sqlite3_column_blob(stmt, c) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
