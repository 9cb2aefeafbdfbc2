// Semantic colour roles (htop's ColorElements): widgets name a role, never a colour.
// `key` is the btop-style theme file key; `letter` is the role's symbol in style-map snapshots.

public enum ThemeRole: Int, CaseIterable, Sendable, Hashable {
    case mainBg, mainFg, title, hiFg, inactiveFg, divLine, borderFocus
    case selectedBg, selectedFg, statusBg, statusFg, keyFg, errorFg, warnFg
    case running, paused, done, failed, queued
    case loss, lossPos, lossNeg, rawLine, axis, clipMarker, eventMark
    case lrActual, lrPlanned, emaActual, emaPlanned, sparkline
    case crop1, crop2, maskShade, dialogBg, dialogFg
    case series0, series1, series2, series3, series4, series5, series6, series7

    public var key: String {
        switch self {
        case .mainBg: "main_bg"
        case .mainFg: "main_fg"
        case .title: "title"
        case .hiFg: "hi_fg"
        case .inactiveFg: "inactive_fg"
        case .divLine: "div_line"
        case .borderFocus: "border_focus"
        case .selectedBg: "selected_bg"
        case .selectedFg: "selected_fg"
        case .statusBg: "status_bg"
        case .statusFg: "status_fg"
        case .keyFg: "key_fg"
        case .errorFg: "error_fg"
        case .warnFg: "warn_fg"
        case .running: "run_running"
        case .paused: "run_paused"
        case .done: "run_done"
        case .failed: "run_failed"
        case .queued: "run_queued"
        case .loss: "chart_loss"
        case .lossPos: "chart_loss_pos"
        case .lossNeg: "chart_loss_neg"
        case .rawLine: "chart_raw"
        case .axis: "chart_axis"
        case .clipMarker: "chart_clip"
        case .eventMark: "chart_event"
        case .lrActual: "lr_actual"
        case .lrPlanned: "lr_planned"
        case .emaActual: "ema_actual"
        case .emaPlanned: "ema_planned"
        case .sparkline: "sparkline"
        case .crop1: "mask_crop1"
        case .crop2: "mask_crop2"
        case .maskShade: "mask_shade"
        case .dialogBg: "dialog_bg"
        case .dialogFg: "dialog_fg"
        case .series0, .series1, .series2, .series3, .series4, .series5, .series6, .series7:
            "series_\(rawValue - ThemeRole.series0.rawValue)"
        }
    }

    /// One symbol per role for style-map snapshots ('.' is reserved for the terminal default, '#' for direct colours).
    public var letter: Character {
        let symbols = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return symbols[rawValue]
    }

    /// The eight compare-view colours, in order.
    public static let seriesPalette: [ThemeRole] = [.series0, .series1, .series2, .series3, .series4, .series5, .series6, .series7]

    public static func role(forKey key: String) -> ThemeRole? { byKey[key] }
    private static let byKey: [String: ThemeRole] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.key, $0) })
}

/// An sRGB colour. Themes use it; cells use it directly for image pixels.
public struct RGB: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    public init(gray: UInt8) { self.init(gray, gray, gray) }
    public var description: String {
        func hex(_ v: UInt8) -> String { let s = String(v, radix: 16, uppercase: true); return s.count == 1 ? "0" + s : s }
        return "#" + hex(r) + hex(g) + hex(b)
    }
    /// Linear blend towards `other` by `t` in [0, 1].
    public func mixed(with other: RGB, _ t: Double) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8(max(0, min(255, (Double(a) * (1 - t) + Double(b) * t).rounded()))) }
        return RGB(m(r, other.r), m(g, other.g), m(b, other.b))
    }
}
