import Foundation
import TUI

/// libFuzzer target: the theme file parser on arbitrary text (invalid UTF-8 is decoded with replacement).
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Theme.parse(text, file: "fuzz.theme")
    return 0
}

#if !FUZZING
/// Without libFuzzer (a plain `swift build`): replays the files and folders named on the command line
/// through the same entry point, e.g. `.build/debug/FuzzTheme Tests/Fixtures/fuzz/theme` to re-run a corpus or a crash.
@main
struct FuzzThemeReplay {
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
        print("FuzzTheme: replayed \(count) inputs without a crash")
    }
}
#endif
