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

    static func parseObject(_ line: String) throws -> [(key: String, value: Value)] {
        var p = Parser(bytes: Array(line.utf8))
        p.skipSpace()
        let members = try p.object(top: true)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw ParseError(offset: p.i, message: "text after the closing '}'") }
        return members
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        /// Nesting depth of the value being parsed; bounded so a line of `[[[[…` cannot overflow the stack.
        var depth = 0
        static let maxDepth = 64

        mutating func enter() throws {
            depth += 1
            guard depth <= Parser.maxDepth else { throw ParseError(offset: i, message: "nested deeper than \(Parser.maxDepth) levels") }
        }

        mutating func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[i]) { i += 1 } }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else {
                throw ParseError(offset: i, message: "expected '\(Character(Unicode.Scalar(c)))'")
            }
            i += 1
        }

        mutating func object(top: Bool) throws -> [(key: String, value: Value)] {
            try expect(UInt8(ascii: "{"))
            var out: [(key: String, value: Value)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return out }
            while true {
                skipSpace()
                let k = try string()
                try expect(UInt8(ascii: ":"))
                let v = try value()
                if top { out.append((k, v)) }
                skipSpace()
                guard i < bytes.count else { throw ParseError(offset: i, message: "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return out }
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
            switch bytes[i] {
            case UInt8(ascii: "{"):
                try enter(); defer { depth -= 1 }
                _ = try object(top: false); return .nested
            case UInt8(ascii: "["):
                try enter(); defer { depth -= 1 }
                try array(); return .nested
            case UInt8(ascii: "\""): return .string(try string())
            default: break
            }
            for (word, v) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .null),
                              ("NaN", .number(.nan)), ("Infinity", .number(.infinity)), ("-Infinity", .number(-.infinity))]
            where matches(word) { i += word.utf8.count; return v }
            return .number(try number())
        }

        func matches(_ word: String) -> Bool {
            let w = Array(word.utf8)
            return i + w.count <= bytes.count && Array(bytes[i..<i + w.count]) == w
        }

        mutating func number() throws -> Double {
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            guard i > start, let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                throw ParseError(offset: start, message: "not a JSON value")
            }
            return d
        }

        mutating func string() throws -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw ParseError(offset: i, message: "expected a string") }
            i += 1
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
                    guard i + 4 <= bytes.count, let u = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
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

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
