import Foundation

/// Checks on the raw file before SQLite sees it, so the common failures get a one-line message instead of
/// an error from deep inside a query.
enum DatabaseFile {
    static let magic: [UInt8] = Array("SQLite format 3\0".utf8)

    /// Throws for a file that is not SQLite or is shorter than its header says. An absent or empty file passes.
    static func check(path: String) throws {
        // Never open the file raw while this process holds a connection to it (see OpenFiles): it was
        // checked when that connection was made.
        if OpenFiles.isOpen(path) { return }
        guard let h = FileHandle(forReadingAtPath: path) else { return }
        defer { try? h.close() }
        let header = [UInt8](h.readData(ofLength: 100))
        if header.isEmpty { return }
        if header.count < 16 || Array(header[0..<16]) != magic { throw StoreError.notADatabase(path: path) }
        if header.count < 100 { throw StoreError.truncated(path: path, expectedBytes: 100, actualBytes: header.count) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var pageSize = Int(header[16]) << 8 | Int(header[17])
        if pageSize == 1 { pageSize = 65536 }
        let pages = header[28..<32].reduce(0) { $0 << 8 | Int($1) }
        let counter = header[24..<28].reduce(0) { $0 << 8 | Int($1) }
        let validFor = header[92..<96].reduce(0) { $0 << 8 | Int($1) }
        // With a non-empty -wal file the main file may legitimately lag; SQLite reconciles on open.
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        if counter == validFor && pages > 0 && walSize == 0 && pages * pageSize > size {
            throw StoreError.truncated(path: path, expectedBytes: pages * pageSize, actualBytes: size)
        }
    }
}
