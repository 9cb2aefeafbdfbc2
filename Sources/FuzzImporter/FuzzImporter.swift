import Foundation
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

#if FUZZING
/// libFuzzer's entry for programs with their own main (the C signature, declared here so the linker pulls it in).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
#endif

/// Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING` (`make fuzz`): hands the command line to libFuzzer
/// (LLVMFuzzerRunDriver; SwiftPM links executables through their own main, so libFuzzer's main is not used).
/// Built plainly: replays the files and folders named on the command line through the same entry point,
/// e.g. `.build/debug/FuzzImporter Tests/Fixtures/fuzz/importer` to re-run the corpus or a crash file.
@main
struct FuzzImporterMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
        #else
        var count = 0
        let fm = FileManager.default
        for arg in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: arg, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue ? ((try? fm.contentsOfDirectory(atPath: arg)) ?? []).sorted().map { arg + "/" + $0 } : [arg]
            for f in files {
                guard let d = fm.contents(atPath: f) else { continue }
                let bytes = [UInt8](d) + [0]   // never an empty buffer; the trailing byte is not passed
                _ = bytes.withUnsafeBufferPointer { LLVMFuzzerTestOneInput($0.baseAddress!, $0.count - 1) }
                count += 1
            }
        }
        print("FuzzImporter: replayed \(count) inputs without a crash")
        #endif
    }
}
