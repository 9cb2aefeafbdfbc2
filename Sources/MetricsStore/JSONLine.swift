import Tensor
/// A small JSON reader for one line of a metrics log. Python's json.dumps writes bare `NaN`, `Infinity`
/// and `-Infinity`, which Foundation's JSON parsers reject, so log lines go through this instead.
/// It returns the top-level object's members in file order; nested values are parsed and skipped.
enum JSONLine {
    enum Value: Equatable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case null
        case nested
    }

    struct ParseError: Error { let offset: Int; let message: String }

    /// Called for each top-level member: the key's UTF-8 bytes (valid only during the call) and the value.
    typealias Visitor = (_ key: UnsafeBufferPointer<UInt8>, _ value: Value) throws -> Void

    static func parseObject(_ line: String) throws -> [(key: String, value: Value)] {
        var members: [(key: String, value: Value)] = []
        var copy = line
        try copy.withUTF8 { u in
            try visitObject(u) { k, v in members.append((String(decoding: k, as: UTF8.self), v)) }
        }
        return members
    }

    /// Parses one JSON object from `bytes`, calling `visit` per top-level member without building arrays or
    /// key strings (the bulk-import path).
    static func visitObject(_ bytes: UnsafeBufferPointer<UInt8>, _ visit: Visitor) throws {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        try p.object(visit)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw ParseError(offset: p.i, message: "text after the closing '}'") }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        /// Nesting depth of the value being parsed; bounded so a line of `[[[[…` cannot overflow the stack.
        var depth = 0
        static let maxDepth = 64

        mutating func enter() throws {
            depth += 1
            guard depth <= Parser.maxDepth else { throw ParseError(offset: i, message: "nested deeper than \(Parser.maxDepth) levels") }
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else {
                throw ParseError(offset: i, message: "expected '\(Character(Unicode.Scalar(c)))'")
            }
            i += 1
        }

        /// An object; `visit` sees each member (nested objects pass a no-op).
        mutating func object(_ visit: Visitor) throws {
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw ParseError(offset: i, message: "expected a string") }
                // Keys without escapes are passed as a slice of the line; others are unescaped first.
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
                let plain = j < bytes.count && bytes[j] == UInt8(ascii: "\"")
                let keyStart = i + 1, keyEnd = j
                let escaped: String? = plain ? nil : try string()
                if plain { i = j + 1 }
                try expect(UInt8(ascii: ":"))
                let v = try value()
                if let e = escaped {
                    var k = e
                    try k.withUTF8 { try visit($0, v) }
                } else {
                    try visit(UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]), v)
                }
                skipSpace()
                guard i < bytes.count else { throw ParseError(offset: i, message: "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return }
                throw ParseError(offset: i, message: "expected ',' or '}'")
            }
        }

        mutating func array() throws {
            try expect(UInt8(ascii: "["))
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
            while true {
                _ = try value()
                skipSpace()
                guard i < bytes.count else { throw ParseError(offset: i, message: "unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return }
                throw ParseError(offset: i, message: "expected ',' or ']'")
            }
        }

        mutating func value() throws -> Value {
            skipSpace()
            guard i < bytes.count else { throw ParseError(offset: i, message: "missing value") }
            // Dispatch on the first byte: this runs for every number of every line of a bulk import.
            switch bytes[i] {
            case UInt8(ascii: "{"):
                try enter(); defer { depth -= 1 }
                try object { _, _ in }; return .nested
            case UInt8(ascii: "["):
                try enter(); defer { depth -= 1 }
                try array(); return .nested
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try word("true", .bool(true))
            case UInt8(ascii: "f"): return try word("false", .bool(false))
            case UInt8(ascii: "n"): return try word("null", .null)
            case UInt8(ascii: "N"): return try word("NaN", .number(.nan))
            case UInt8(ascii: "I"): return try word("Infinity", .number(.infinity))
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "I"):
                return try word("-Infinity", .number(-.infinity))
            default: return .number(try number())
            }
        }

        mutating func word(_ w: StaticString, _ v: Value) throws -> Value {
            let n = w.utf8CodeUnitCount
            guard i + n <= bytes.count else { throw ParseError(offset: i, message: "not a JSON value") }
            let p = w.utf8Start
            for k in 0..<n where bytes[i + k] != p[k] { throw ParseError(offset: i, message: "not a JSON value") }
            i += n
            return v
        }

        mutating func number() throws -> Double {
            let start = i
            while i < bytes.count, Self.numberByte[Int(bytes[i])] { i += 1 }
            // Swift's Double(String) parses in the C locale (strtod would follow a TUI's setlocale).
            guard i > start, let d = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)) else {
                throw ParseError(offset: start, message: "not a JSON value")
            }
            return d
        }

        static let numberByte: [Bool] = (0..<256).map { "+-0123456789.eE".utf8.contains(UInt8($0)) }

        mutating func string() throws -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw ParseError(offset: i, message: "expected a string") }
            i += 1
            // Fast path: no escapes (every key of a metrics log).
            var j = i
            while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
            if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
                defer { i = j + 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self)
            }
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]; i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if c != UInt8(ascii: "\\") { out.append(c); continue }
                guard i < bytes.count else { break }
                let e = bytes[i]; i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let u = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<i + 4]), as: UTF8.self), radix: 16) else {
                        throw ParseError(offset: i, message: "bad \\u escape")
                    }
                    i += 4
                    out.append(contentsOf: Array(String(Unicode.Scalar(u).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
            }
            throw ParseError(offset: i, message: "unterminated string")
        }
    }

    /// A number as JSON text that reads back to the same Double: Swift's shortest round-trip form, with
    /// Python's spellings for the non-finite values.
    static func format(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) + ".0" }
        return "\(x)"
    }

    static func quote(_ s: String) -> String { JSONValue.quote(s) }
}
