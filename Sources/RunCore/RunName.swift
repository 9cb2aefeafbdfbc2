
/// Run names become folders under runs/, so they must not escape it or surprise a shell:
/// 1–64 characters from [A-Za-z0-9._-], not starting with "." (no ".", "..", hidden folders), no "..",
/// and not "presets" (runs/presets holds the committed presets).
public enum RunName {
    public static let maxLength = 64

    public static func validate(_ name: String) throws {
        func fail(_ reason: String) -> RunNameError { RunNameError(name: name, reason: reason) }
        guard !name.isEmpty else { throw fail("is empty") }
        let scalars = Array(name.unicodeScalars)
        guard !scalars.contains("\0") else { throw fail("contains a NUL byte") }
        guard !name.hasPrefix("/") else { throw fail("is an absolute path; give a plain name, it becomes runs/NAME") }
        guard !scalars.contains("/") else { throw fail("contains '/'; a run name is one folder under runs/") }
        guard !name.contains("..") else { throw fail("contains '..'") }
        guard !name.hasPrefix(".") else { throw fail("starts with '.'") }
        guard scalars.count <= maxLength else { throw fail("is \(scalars.count) characters long; the limit is \(maxLength)") }
        if let bad = scalars.first(where: { !allowed($0) }) {
            let shown = bad.isASCII && bad.value >= 0x20 && bad.value < 0x7F ? "'\(bad)'" : "U+" + String(bad.value, radix: 16, uppercase: true)
            throw fail("contains \(shown); use letters, digits, '.', '_' and '-'")
        }
        guard name != "presets" else { throw fail("is reserved (runs/presets holds the presets)") }
    }

    static func allowed(_ u: Unicode.Scalar) -> Bool {
        switch u {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }
}

/// One line naming the (escaped, shortened) run name and the rule it breaks.
public struct RunNameError: Error, CustomStringConvertible, Equatable {
    public let name: String
    public let reason: String
    public var description: String {
        var shown = jsonQuote(name)
        if shown.count > 80 { shown = String(shown.prefix(77)) + "...\"" }
        return "run name \(shown) \(reason)"
    }
}
