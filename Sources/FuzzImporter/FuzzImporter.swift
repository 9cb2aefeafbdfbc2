import Foundation
import FuzzSupport
import MetricsStore

/// libFuzzer target: `siamon import`'s parser (log.txt, steps.jsonl, csv) on arbitrary bytes. The importer
/// reads files, so each input goes to a file in /dev/shm; the first byte picks the extension (csv or txt).
/// Every line also goes through StepsJSONL.parse (the steps.jsonl reader the TUI uses).
let scratch = "/dev/shm/siamon-fuzz-importer-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let path = scratch + (size > 0 && bytes[0] & 1 == 1 ? ".csv" : ".txt")
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return 0 }
    defer { unlink(path) }
    _ = try? Importer.validate(path)
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") { _ = try? StepsJSONL.parse(String(line)) }
    return 0
}

@main
struct FuzzImporterMain {
    static func main() { fuzzMain(name: "FuzzImporter", entry: LLVMFuzzerTestOneInput) }
}
