import Foundation
import SiamTrain

/// libFuzzer target: the IDX reader (Fashion-MNIST) on arbitrary bytes, both raw and after in-process gzip
/// inflation when the input inflates.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? FashionMNIST.parseIDX(bytes, compressed: false, path: "fuzz")
    _ = try? FashionMNIST.parseIDX(bytes, compressed: true, path: "fuzz.gz")
    return 0
}

#if !FUZZING
/// Without libFuzzer (a plain `swift build`): replays the files and folders named on the command line
/// through the same entry point, e.g. `.build/debug/FuzzIDX Tests/Fixtures/fuzz/idx` to re-run a corpus or a crash.
@main
struct FuzzIDXReplay {
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
        print("FuzzIDX: replayed \(count) inputs without a crash")
    }
}
#endif
