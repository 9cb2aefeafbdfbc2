import Foundation
import FuzzSupport
import MetricsStore

/// libFuzzer target: `siamon import` of a csv file end to end. Each input is a csv file in /dev/shm; when the
/// parser accepts it, it is imported into a fresh scratch database and read back the way `siamon runs`, the
/// charts and `export` read it, so a value the parser lets through but the store cannot handle (a step whose
/// `max(step) + 1` overflows) crashes here rather than in a user's store.
let scratch = "/dev/shm/siamon-fuzz-csv-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = scratch + ".csv", dbPath = scratch + ".sqlite"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { return 0 }
    defer { for p in [path, dbPath, dbPath + "-wal", dbPath + "-shm", dbPath + "-journal"] { unlink(p) } }
    guard (try? Importer.validate(path)) != nil, let db = try? MetricsDatabase(path: dbPath) else { return 0 }
    defer { db.close() }
    guard let r = try? Importer.importFile(path, name: "fuzz", into: db) else { return 0 }
    _ = try? db.runs()
    for key in (try? db.keys(runId: r.runId)) ?? [] { _ = try? db.series(runId: r.runId, key: key, columns: 7) }
    _ = try? Exporter.export(runId: r.runId, from: db, format: .csv, to: scratch + ".out.csv")
    unlink(scratch + ".out.csv")
    return 0
}

@main
struct FuzzCSVMain {
    static func main() { fuzzMain(name: "FuzzCSV", entry: LLVMFuzzerTestOneInput) }
}
