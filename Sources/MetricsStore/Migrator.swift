import Foundation

/// Applies `Schema.migrations` in order, one transaction each, recording names in `migrations`.
enum Migrator {
    static func applied(_ c: Connection) throws -> [String] {
        let exists = try c.scalarInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='migrations'") ?? 0
        guard exists > 0 else { return [] }
        var names: [String] = []
        try c.rows("SELECT name FROM migrations ORDER BY rowid") { s in names.append(s.text(0)) }
        return names
    }

    /// Fails with `newerSchema` when the file has a migration this build does not know.
    static func checkKnown(_ c: Connection) throws {
        let known = Set(Schema.migrations.map(\.name))
        if let unknown = try applied(c).first(where: { !known.contains($0) }) {
            throw StoreError.newerSchema(path: c.path, migration: unknown)
        }
    }

    /// Applies every migration not yet applied, in order; `upTo` stops after the named one (upgrade tests).
    static func migrate(_ c: Connection, upTo last: String? = nil) throws {
        try c.transaction { try c.exec(Schema.migrationsTable) }
        try checkKnown(c)
        let count = last.flatMap { n in Schema.migrations.firstIndex { $0.name == n } }.map { $0 + 1 } ?? Schema.migrations.count
        for m in Schema.migrations.prefix(count) {
            // Checked inside the transaction: two processes creating the same new file must not both apply it.
            try c.transaction {
                let done = try c.scalarInt("SELECT count(*) FROM migrations WHERE name = ?", [.text(m.name)]) ?? 0
                guard done == 0 else { return }
                try c.exec(m.sql)
                let ins = try c.statement("INSERT INTO migrations (name, appliedAt) VALUES (?, ?)")
                try ins.bind([.text(m.name), .double(Date().timeIntervalSince1970)])
                try ins.run()
            }
        }
    }
}
