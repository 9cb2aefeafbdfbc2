// Themes: a compiled-in schema of roles with default colours (btop's Default_theme), and a parser for
// btop-style files `theme[key]="#RRGGBB"`. Missing keys fall back to the defaults; unknown keys and bad
// colours are errors that name file:line.

public struct Theme: Equatable, Sendable {
    /// nil = the terminal's own default colour (empty value in a file, as btop's main_bg).
    public var colors: [ThemeRole: RGB?]
    public init(colors: [ThemeRole: RGB?]) { self.colors = colors }

    public func color(_ role: ThemeRole) -> RGB? {
        if let c = colors[role] { return c }
        return Theme.schema[role]!.color
    }

    public struct Entry: Sendable { public let color: RGB?; public let comment: String }

    /// The compiled-in defaults, with the one-line comment each key carries in a theme file.
    public static let schema: [ThemeRole: Entry] = {
        func e(_ hex: String, _ c: String) -> Entry { Entry(color: try! parseColor(hex), comment: c) }
        var s: [ThemeRole: Entry] = [
            .mainBg: e("", "Main background, empty for the terminal's default (transparent)"),
            .mainFg: e("#D8DEE9", "Main text"),
            .title: e("#88C0D0", "Panel titles and the header"),
            .hiFg: e("#EBCB8B", "Highlighted text (selected run name, filter)"),
            .inactiveFg: e("#7B8394", "Inactive or secondary text, disabled keys"),
            .divLine: e("#4C566A", "Panel borders"),
            .borderFocus: e("#88C0D0", "Border of the focused panel"),
            .selectedBg: e("#3B4252", "Background of the selected row"),
            .selectedFg: e("#ECEFF4", "Text of the selected row"),
            .statusBg: e("#2E3440", "Status line background"),
            .statusFg: e("#D8DEE9", "Status line text"),
            .keyFg: e("#EBCB8B", "Key names in the key bar and help"),
            .errorFg: e("#BF616A", "Errors"),
            .warnFg: e("#D08770", "Warnings and confirmation prompts"),
            .running: e("#A3BE8C", "Run status: running"),
            .paused: e("#EBCB8B", "Run status: paused"),
            .done: e("#81A1C1", "Run status: done"),
            .failed: e("#BF616A", "Run status: failed or interrupted"),
            .queued: e("#7B8394", "Run status: queued or stopped"),
            .loss: e("#88C0D0", "Loss chart: total loss"),
            .lossPos: e("#A3BE8C", "Loss chart: positive (alignment) term"),
            .lossNeg: e("#D08770", "Loss chart: negative (uniformity) term"),
            .rawLine: e("#4C566A", "Raw data drawn behind a smoothed line"),
            .axis: e("#7B8394", "Chart axes, ticks and labels"),
            .clipMarker: e("#BF616A", "Markers for points clipped by the robust y range"),
            .eventMark: e("#B48EAD", "Event markers (LR scale, pause, checkpoint)"),
            .lrActual: e("#EBCB8B", "LR chart: actual values"),
            .lrPlanned: e("#6E6548", "LR chart: planned schedule (dim)"),
            .emaActual: e("#B48EAD", "EMA-momentum chart: actual values"),
            .emaPlanned: e("#5E5066", "EMA-momentum chart: planned schedule (dim)"),
            .sparkline: e("#88C0D0", "Run list sparklines"),
            .crop1: e("#5FD7FF", "Mask panel: crop box of view 1"),
            .crop2: e("#FF87AF", "Mask panel: crop box of view 2"),
            .maskShade: e("#BF616A", "Mask panel: tint of masked patches"),
            .dialogBg: e("#3B4252", "Dialog background"),
            .dialogFg: e("#ECEFF4", "Dialog text"),
        ]
        let palette = ["#88C0D0", "#A3BE8C", "#EBCB8B", "#B48EAD", "#D08770", "#81A1C1", "#BF616A", "#8FBCBB"]
        for (i, role) in ThemeRole.seriesPalette.enumerated() {
            s[role] = e(palette[i], "Compare view: run colour \(i) (chosen by FNV-1a of the run name)")
        }
        return s
    }()

    public static let `default` = Theme(colors: schema.mapValues { $0.color })

    /// Parses a theme file's text. Keys not in the file keep the default colour.
    public static func parse(_ text: String, file: String) throws(ThemeError) -> Theme {
        var theme = Theme.default
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let loc = "\(file):\(i + 1)"
            guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else {
                throw .syntax(loc, String(line))
            }
            let key = String(line[line.index(line.startIndex, offsetBy: 6)..<close])
            var rest = line[line.index(after: close)...].trimmingSpaces()
            guard rest.hasPrefix("=") else { throw .syntax(loc, String(line)) }
            rest = rest.dropFirst().trimmingSpaces()
            guard rest.count >= 2, rest.hasPrefix("\""), rest.hasSuffix("\"") else { throw .syntax(loc, String(line)) }
            let value = String(rest.dropFirst().dropLast())
            guard let role = ThemeRole.role(forKey: key) else { throw .unknownKey(loc, key) }
            do { theme.colors[role] = try parseColor(value) } catch { throw .badColor(loc, key, value) }
        }
        return theme
    }

    struct BadColor: Error {}

    /// "#RRGGBB", "#BW" (grey), "R G B" (decimal), or "" (terminal default → nil).
    static func parseColor(_ s: String) throws(BadColor) -> RGB? {
        if s.isEmpty { return nil }
        if s.hasPrefix("#") {
            let hex = s.dropFirst()
            guard hex.allSatisfy(\.isHexDigit) else { throw BadColor() }
            if hex.count == 2, let v = UInt8(hex, radix: 16) { return RGB(gray: v) }
            guard hex.count == 6, let v = UInt32(hex, radix: 16) else { throw BadColor() }
            return RGB(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }
        let parts = s.split(separator: " ").compactMap { UInt8($0) }
        guard parts.count == 3, s.split(separator: " ").count == 3 else { throw BadColor() }
        return RGB(parts[0], parts[1], parts[2])
    }
}

public enum ThemeError: Error, Equatable, CustomStringConvertible {
    case syntax(String, String)
    case unknownKey(String, String)
    case badColor(String, String, String)
    case unreadable(String)

    public var description: String {
        switch self {
        case .syntax(let loc, let line):
            "\(loc): cannot read '\(line)'; expected theme[key]=\"#RRGGBB\" (or \"#BW\", \"R G B\", \"\")"
        case .unknownKey(let loc, let key):
            "\(loc): unknown theme key '\(key)'; see themes/default.theme for the valid keys"
        case .badColor(let loc, let key, let value):
            "\(loc): bad colour \"\(value)\" for theme[\(key)]; use \"#RRGGBB\", \"#BW\", \"R G B\" or \"\""
        case .unreadable(let path):
            "\(path): cannot read the theme file; check the path or leave --theme out for the default"
        }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}

import Foundation

extension Theme {
    /// Reads and parses a theme file.
    public static func load(path: String) throws(ThemeError) -> Theme {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path) }
        return try parse(text, file: path)
    }
}
