import CSQLite
import Foundation

/// The metrics database: one SQLite file (docs/store.md), opened read-write (creating and migrating it) or
/// read-only (watchers). One connection per instance; every method serialises on an internal lock, so an
/// instance may be shared between threads, but each thread that writes a lot should open its own.
///
/// ```
/// let db = try MetricsDatabase(path: "runs/siamon.sqlite")
/// let run = try db.createRun(name: "tiny-1", preset: "fmnist-tiny", configJSON: "{}", source: .siamon)
/// ```
public final class MetricsDatabase: @unchecked Sendable {
    public enum Mode: Sendable { case readWrite, readOnly }

    public let path: String
    public let mode: Mode
    /// WAL, or DELETE on filesystems where WAL is unsafe.
    public let journalMode: JournalMode
    /// A one-line warning for the user (the journal fallback), or nil.
    public let warning: String?

    let connection: Connection
    private let lock = NSLock()

    /// Busy timeout for every connection: long enough for any writer's ≤100 ms transaction (docs/store.md §1).
    public static let busyTimeoutMilliseconds: Int32 = 10_000

    public init(path: String, mode: Mode = .readWrite,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.path = path
        self.mode = mode
        try DatabaseFile.check(path: path)
        let dir = (path as NSString).deletingLastPathComponent
        let (journal, warning) = FileSystemCheck.journalMode(forDirectory: dir.isEmpty ? "." : dir, environment: environment)
        self.journalMode = journal
        self.warning = warning
        if mode == .readOnly && !FileManager.default.fileExists(atPath: path) {
            throw StoreError.cannotOpen(path: path, detail: "no such file; start a run or import one first")
        }
        // A reader would otherwise meet "no such table" in its first query; a writer creates the schema.
        if mode == .readOnly && Self.fileSize(path) == 0 && Self.fileSize(path + "-wal") == 0 {
            throw StoreError.emptyDatabase(path: path)
        }
        connection = try Connection(path: path, readOnly: mode == .readOnly)
        sqlite3_busy_timeout(connection.handle, Self.busyTimeoutMilliseconds)
        do { try configure() } catch { throw namingLiveWriters(error) }
    }

    private func configure() throws {
        if mode == .readWrite {
            if sqlite3_db_readonly(connection.handle, "main") == 1 { throw StoreError.readOnly(path: path) }
            // 8 KiB pages: measured 27% less insert time than 4 KiB on bulk imports. Only takes effect on a new,
            // empty file (set before the first table; WAL files keep their page size).
            try connection.exec("PRAGMA page_size=8192")
            // The first statement that reads the file is where SQLite notices a non-database or corrupt file.
            // A newer schema is refused before anything is written (switching the journal mode rewrites the header).
            try Migrator.checkKnown(connection)
            let current = try pragmaText("PRAGMA journal_mode")
            if current.uppercased() != journalMode.rawValue {
                _ = try pragmaText("PRAGMA journal_mode=\(journalMode.rawValue)")
            }
            try connection.exec(journalMode == .wal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL")
            // Statement journals and temp tables in memory: on a file they cost one pwrite per row on bulk inserts.
            try connection.exec("PRAGMA temp_store=MEMORY")
            try Migrator.migrate(connection)
            // A run whose writer vanished without closing is marked interrupted on the next open (docs/store.md §6).
            // Housekeeping only: a busy database must not make the open fail.
            _ = try? markVanishedWriters()
        } else {
            try Migrator.checkKnown(connection)
        }
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    private func pragmaText(_ sql: String) throws -> String {
        var t = ""
        try connection.rows(sql, limit: 1) { s in t = s.text(0) }
        return t
    }

    /// Runs `body` with exclusive use of the connection.
    func with<T>(_ body: (Connection) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(connection)
    }

    /// Runs `body` in one BEGIN IMMEDIATE transaction. When the write lock stays taken past the busy timeout,
    /// the error names the live writers the run table knows (a WAL reader still sees it while the lock is held).
    func write<T>(_ body: (Connection) throws -> T) throws -> T {
        do { return try with { c in try c.transaction { try body(c) } } } catch { throw namingLiveWriters(error) }
    }

    /// A busy or locked error as `StoreError.locked` with the live writers; any other error as it is.
    private func namingLiveWriters(_ error: Error) -> Error {
        guard case StoreError.sqlite(let p, let code, _, let sql) = error, code == 5 || code == 6 else { return error }   // SQLITE_BUSY, _LOCKED
        return StoreError.locked(path: p, statement: sql, writers: (try? liveWriters()) ?? [])
    }

    /// "run 'r1' (pid 123 on host)" for every run whose status says a writer is attached.
    func liveWriters() throws -> [String] {
        try with { c in
            var out: [String] = []
            try c.rows("SELECT name, writerPid, writerHost FROM run WHERE status IN ('running', 'paused') ORDER BY id") { s in
                out.append("run '\(s.text(0))' (pid \(s.optionalInt(1).map(String.init) ?? "?") on \(s.optionalText(2) ?? "?"))")
            }
            return out
        }
    }

    public func close() { lock.lock(); connection.close(); lock.unlock() }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try with { c in
            var lines: [String] = []
            try c.rows("PRAGMA integrity_check") { s in lines.append(s.text(0)) }
            return lines.joined(separator: "; ")
        }
    }

    /// `PRAGMA data_version`: changes when another connection commits (cheap change detection).
    public func dataVersion() throws -> Int64 {
        try with { c in try c.scalarInt("PRAGMA data_version") ?? 0 }
    }

    /// The schema as SQLite reports it: the `sql` of every table and index, ordered by name.
    public func schemaSQL() throws -> [String] {
        try with { c in
            var out: [String] = []
            try c.rows("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name") { s in out.append(s.text(0)) }
            return out
        }
    }

    /// Names of the applied migrations, in the order applied.
    public func appliedMigrations() throws -> [String] {
        try with { c in try Migrator.applied(c) }
    }
}

/// Where the runs live: `--runs DIR`, else `$SIAMON_RUNS`, else `runs` (docs/architecture.md §3).
public enum RunsLocation {
    public static func directory(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let f = flag, !f.isEmpty { return f }
        if let e = environment["SIAMON_RUNS"], !e.isEmpty { return e }
        return "runs"
    }

    /// The database path inside `directory`; creates the directory when `create` is set.
    public static func databasePath(directory: String, create: Bool) throws -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), !isDir.boolValue {
            throw StoreError.runsNotAFolder(path: directory)
        }
        if create {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            catch { throw StoreError.cannotOpen(path: directory, detail: "cannot create the runs folder") }
        }
        return (directory as NSString).appendingPathComponent("siamon.sqlite")
    }
}
