import Foundation
import FuzzSupport
import TUI

/// libFuzzer target: the theme file parser on arbitrary text (invalid UTF-8 is decoded with replacement).
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Theme.parse(text, file: "fuzz.theme")
    return 0
}

@main
struct FuzzThemeMain {
    static func main() { fuzzMain(name: "FuzzTheme", entry: LLVMFuzzerTestOneInput) }
}
