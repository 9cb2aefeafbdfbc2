import Foundation
import FuzzSupport
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

@main
struct FuzzIDXMain {
    static func main() { fuzzMain(name: "FuzzIDX", entry: LLVMFuzzerTestOneInput) }
}
