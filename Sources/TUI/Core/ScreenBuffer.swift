// The in-memory screen every widget draws into (ratatui's Buffer). No terminal here: the backend diffs two
// buffers and writes only what changed; tests read `lines` and `styleMap`.

public enum CellColor: Equatable, Hashable, Sendable {
    case role(ThemeRole)
    case rgb(RGB)          // image pixels in the mask panel
    case terminalDefault
}

public struct Attr: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attr(rawValue: 1)
    public static let dim = Attr(rawValue: 2)
    public static let reverse = Attr(rawValue: 4)
    public static let underline = Attr(rawValue: 8)
}

public struct Cell: Equatable, Hashable, Sendable {
    public var char: Unicode.Scalar
    public var fg: CellColor
    public var bg: CellColor
    public var attrs: Attr
    public init(_ char: Unicode.Scalar = " ", fg: CellColor = .role(.mainFg), bg: CellColor = .role(.mainBg), attrs: Attr = []) {
        self.char = char; self.fg = fg; self.bg = bg; self.attrs = attrs
    }
    public static let blank = Cell()
}

/// A patch applied to cells: nil fields keep what the cell already has (so text can sit on a dialog's bg).
public struct Style: Equatable, Sendable {
    public var fg: CellColor?, bg: CellColor?, attrs: Attr
    public init(fg: CellColor? = nil, bg: CellColor? = nil, attrs: Attr = []) { self.fg = fg; self.bg = bg; self.attrs = attrs }
    public init(_ role: ThemeRole, bg: ThemeRole? = nil, attrs: Attr = []) {
        self.init(fg: .role(role), bg: bg.map { .role($0) }, attrs: attrs)
    }
}

public struct ScreenBuffer: Equatable, Sendable {
    public let width: Int, height: Int
    public var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Sets one cell's character and applies `style`; out-of-bounds writes are dropped (widgets may overrun).
    @inline(__always)
    public mutating func set(_ x: Int, _ y: Int, _ ch: Unicode.Scalar, _ style: Style = Style()) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = y * width + x
        cells[i].char = ch
        if let fg = style.fg { cells[i].fg = fg }
        if let bg = style.bg { cells[i].bg = bg }
        cells[i].attrs = style.attrs
    }

    /// Writes `text` from (x, y), clipped to `maxWidth` columns and the buffer; returns the columns used.
    /// Characters that are not one column wide (CJK, controls) become '?', so columns stay aligned.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int = Int.max, _ style: Style = Style()) -> Int {
        var cx = x
        let limit = maxWidth == Int.max ? Int.max : x + max(0, maxWidth)
        for s in text.unicodeScalars {
            if cx >= limit || cx >= width { break }
            if s.properties.generalCategory == .nonspacingMark { continue }
            set(cx, y, ScreenBuffer.singleWidth(s), style)
            cx += 1
        }
        return cx - x
    }

    /// Fills a rectangle (clipped) with one character and style.
    public mutating func fill(_ r: Rect, _ ch: Unicode.Scalar = " ", _ style: Style = Style()) {
        for yy in max(0, r.y)..<min(height, r.maxY) where r.width > 0 {
            for xx in max(0, r.x)..<min(width, r.maxX) { set(xx, yy, ch, style) }
        }
    }

    /// Applies a style to a rectangle without touching the characters.
    public mutating func restyle(_ r: Rect, _ style: Style) {
        for yy in max(0, r.y)..<min(height, r.maxY) where r.width > 0 {
            for xx in max(0, r.x)..<min(width, r.maxX) {
                let i = yy * width + xx
                if let fg = style.fg { cells[i].fg = fg }
                if let bg = style.bg { cells[i].bg = bg }
                cells[i].attrs.formUnion(style.attrs)
            }
        }
    }

    static func singleWidth(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return "?" }
        if v >= 0x1100 && v < 0x115F { return "?" }       // Hangul Jamo (wide)
        if v >= 0x2E80 && v < 0xA4D0 { return "?" }       // CJK … Yi (wide)
        if v >= 0xAC00 && v < 0xD7A4 { return "?" }       // Hangul syllables
        if v >= 0xF900 && v < 0xFB00 { return "?" }
        if v >= 0xFE30 && v < 0xFE50 { return "?" }
        if v >= 0xFF00 && v < 0xFF61 { return "?" }
        if v >= 0x1F000 { return "?" }                    // emoji and other wide symbols
        return s
    }

    // MARK: snapshots

    /// The text of each row (trailing spaces kept, so widths are visible in diffs).
    public var lines: [String] {
        (0..<height).map { y in
            var s = String.UnicodeScalarView()
            for x in 0..<width { s.append(cells[y * width + x].char) }
            return String(s)
        }
    }

    /// One letter per cell for the foreground role ('.' terminal default, '#' direct colour).
    public var styleMap: [String] { map { $0.fg } }
    /// The same for the background.
    public var bgMap: [String] { map { $0.bg } }

    private func map(_ pick: (Cell) -> CellColor) -> [String] {
        (0..<height).map { y in
            String((0..<width).map { x -> Character in
                switch pick(cells[y * width + x]) {
                case .role(let r): r.letter
                case .rgb: "#"
                case .terminalDefault: "."
                }
            })
        }
    }

    // MARK: diff

    /// Indices of cells that differ from `previous` (all of them when the size changed).
    public func changedCells(since previous: ScreenBuffer?) -> [Int] {
        guard let p = previous, p.width == width, p.height == height else { return Array(0..<cells.count) }
        var out: [Int] = []
        cells.withUnsafeBufferPointer { a in
            p.cells.withUnsafeBufferPointer { b in
                for i in 0..<a.count where a[i] != b[i] { out.append(i) }
            }
        }
        return out
    }
}
