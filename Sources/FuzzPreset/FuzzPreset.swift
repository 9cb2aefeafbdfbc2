import Foundation
import SiamTrain

/// libFuzzer target: the strict preset decoder and validator on arbitrary bytes. A preset that decodes must
/// survive a round trip through `json()` unchanged (a mismatch traps, so libFuzzer reports it).
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let config = try? RunConfig.decode(json: Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz") else { return 0 }
    let again = try? RunConfig.decode(json: config.json(), source: "fuzz round trip")
    precondition(again == config, "preset round trip changed the config")
    return 0
}

#if !FUZZING
/// Without libFuzzer (a plain `swift build`): replays the files and folders named on the command line
/// through the same entry point, e.g. `.build/debug/FuzzPreset Tests/Fixtures/fuzz/preset` to re-run a corpus or a crash.
@main
struct FuzzPresetReplay {
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
        print("FuzzPreset: replayed \(count) inputs without a crash")
    }
}
#endif
