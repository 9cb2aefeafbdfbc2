import Foundation
import Tensor

/// libFuzzer target: the safetensors reader (header JSON, offsets, dtypes) on arbitrary bytes; every tensor
/// the header names is then read back as floats, and as int64s where the dtype says so.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = try? SafetensorsFile(path: "fuzz", bytes: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    for name in file.infos.keys.sorted() {
        _ = try? file.tensor(name)
        _ = try? file.int64s(name)
    }
    return 0
}

#if !FUZZING
/// Without libFuzzer (a plain `swift build`): replays the files and folders named on the command line
/// through the same entry point, e.g. `.build/debug/FuzzSafetensors Tests/Fixtures/fuzz/safetensors` to re-run a corpus or a crash.
@main
struct FuzzSafetensorsReplay {
    static func main() {
        var count = 0
        for arg in CommandLine.arguments.dropFirst() {
            let fm = FileManager.default
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: arg, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue ? ((try? fm.contentsOfDirectory(atPath: arg)) ?? []).sorted().map { arg + "/" + $0 } : [arg]
            for f in files {
                guard let d = fm.contents(atPath: f) else { continue }
                let bytes = [UInt8](d)
                _ = bytes.withUnsafeBufferPointer { LLVMFuzzerTestOneInput($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
                count += 1
            }
        }
        print("FuzzSafetensors: replayed \(count) inputs without a crash")
    }
}
#endif
