// Theme roles and image colours → curses colour pairs, allocated on demand from (fg, bg) and cached.

import CNCursesW
import TUI

enum ColorMode: Equatable { case none, basic8, xterm256, direct }

struct Palette {
    let mode: ColorMode
    let theme: Theme
    private var pairs: [Int64: Int32] = [:]
    private var next: Int32 = 1
    private let maxPairs: Int32
    /// Set when the pair table filled up and was recycled: the screen must be redrawn in full.
    var recycled = false

    init(mode: ColorMode, theme: Theme, maxPairs: Int32) {
        self.mode = mode; self.theme = theme; self.maxPairs = maxPairs
    }

    /// Terminal colour number of a cell colour; -1 = the terminal's default.
    func number(_ c: CellColor) -> Int32 {
        let rgb: RGB?
        switch c {
        case .terminalDefault: return -1
        case .role(let r): rgb = theme.color(r)
        case .rgb(let v): rgb = v
        }
        guard let v = rgb else { return -1 }
        switch mode {
        case .none: return -1
        case .basic8: return Int32(ColorQuantizer.basic8(v))
        case .xterm256: return Int32(ColorQuantizer.xterm256(v))
        case .direct: return Int32(ColorQuantizer.direct(v))
        }
    }

    /// The pair for (fg, bg), allocating it the first time it is seen.
    mutating func pair(fg: CellColor, bg: CellColor) -> Int32 {
        guard mode != .none else { return 0 }
        let f = number(fg), b = number(bg)
        let key = Int64(f) << 32 | Int64(UInt32(bitPattern: b))
        if let p = pairs[key] { return p }
        if next >= maxPairs { pairs.removeAll(); next = 1; recycled = true }
        let p = next
        next += 1
        init_extended_pair(p, f, b)
        pairs[key] = p
        return p
    }
}
