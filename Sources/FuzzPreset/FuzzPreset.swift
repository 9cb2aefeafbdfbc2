import Foundation
import FuzzSupport
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

@main
struct FuzzPresetMain {
    static func main() { fuzzMain(name: "FuzzPreset", entry: LLVMFuzzerTestOneInput) }
}
