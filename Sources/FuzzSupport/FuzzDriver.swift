import Foundation

/// libFuzzer's entry for programs with their own main (the C signature, declared so the linker pulls it in).
#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
#endif

/// The main of every fuzz target. Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING` (`make fuzz`) it
/// hands the command line to libFuzzer (LLVMFuzzerRunDriver: SwiftPM links executables through their own
/// main, so libFuzzer's main is not used). Built plainly it replays the files and folders named on the
/// command line through the same entry point, e.g. `.build/debug/FuzzIDX Tests/Fixtures/fuzz/idx`.
public func fuzzMain(name: String, entry: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
    #if FUZZING
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
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
            _ = bytes.withUnsafeBufferPointer { entry($0.baseAddress!, $0.count - 1) }
            count += 1
        }
    }
    print("\(name): replayed \(count) inputs without a crash")
    exit(0)
    #endif
}
