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

#if FUZZING
/// libFuzzer's entry for programs with their own main (the C signature, declared here so the linker pulls it in).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
#endif

/// Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING` (`make fuzz`): hands the command line to libFuzzer
/// (LLVMFuzzerRunDriver; SwiftPM links executables through their own main, so libFuzzer's main is not used).
/// Built plainly: replays the files and folders named on the command line through the same entry point,
/// e.g. `.build/debug/FuzzPreset Tests/Fixtures/fuzz/preset` to re-run the corpus or a crash file.
@main
struct FuzzPresetMain {
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
        print("FuzzPreset: replayed \(count) inputs without a crash")
        #endif
    }
}
