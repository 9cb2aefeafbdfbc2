/// Everything that can go wrong reading or writing a safetensors file; each message is one line naming the file.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case io(path: String, detail: String)
    case truncated(path: String, detail: String)
    case badHeader(path: String, detail: String)
    case liesAboutOffsets(path: String, detail: String)
    case unsupportedDType(path: String, name: String, dtype: String)
    case missingTensor(path: String, name: String, count: Int, examples: [String])
    case wrongShape(path: String, name: String, expected: [Int], actual: [Int])
    case notIntegral(path: String, name: String)
    case invalidArgument(path: String, detail: String)
    case diskFull(path: String)
    case writeFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case .io(let p, let d): return "safetensors \(p): \(d)"
        case .truncated(let p, let d): return "safetensors \(p): truncated file: \(d)"
        case .badHeader(let p, let d): return "safetensors \(p): bad header: \(d)"
        case .liesAboutOffsets(let p, let d): return "safetensors \(p): header lies about offsets: \(d)"
        case .unsupportedDType(let p, let n, let t):
            return "safetensors \(p): tensor \(JSONValue.quote(n)) has dtype \(t); siamon reads F32/F16/BF16/F64/I64"
        case .missingTensor(let p, let n, let c, let ex):
            let some = ex.map(JSONValue.quote).joined(separator: ", ")
            return "safetensors \(p): no tensor named \(JSONValue.quote(n)) (the file has \(c) tensors\(c > 0 ? ", e.g. " + some : ""))"
        case .wrongShape(let p, let n, let e, let a):
            return "safetensors \(p): tensor \(JSONValue.quote(n)) has shape \(a), expected \(e)"
        case .notIntegral(let p, let n): return "safetensors \(p): tensor \(JSONValue.quote(n)) should hold integers but has fractional or non-finite values"
        case .invalidArgument(let p, let d): return "safetensors \(p): cannot write: \(d)"
        case .diskFull(let p): return "safetensors \(p): disk full while writing; free some space and retry (the previous file is untouched)"
        case .writeFailed(let p, let d): return "safetensors \(p): write failed: \(d) (the previous file is untouched)"
        }
    }
}
