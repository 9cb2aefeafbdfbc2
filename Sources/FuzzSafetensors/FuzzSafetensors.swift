import Foundation
import FuzzSupport
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

@main
struct FuzzSafetensorsMain {
    static func main() { fuzzMain(name: "FuzzSafetensors", entry: LLVMFuzzerTestOneInput) }
}
