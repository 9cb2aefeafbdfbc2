// A braille dot canvas (2×4 dots per cell) with an occluding composite: each series is drawn into a scratch
// layer, and its non-empty cells REPLACE the canvas cells (LEET's drawBraillePatternsOccluded), so colours
// never spill between series. Lines are Bresenham in dot space.

public struct BrailleCanvas {
    public let cols: Int, rows: Int                 // in cells
    public var dotWidth: Int { cols * 2 }
    public var dotHeight: Int { rows * 4 }
    private(set) var patterns: [UInt8]
    private(set) var styles: [Style]
    private(set) var glyphs: [Unicode.Scalar?]
    private var layer: [UInt8]
    private var touched: [Int] = []

    public init(cols: Int, rows: Int) {
        self.cols = max(0, cols); self.rows = max(0, rows)
        patterns = Array(repeating: 0, count: self.cols * self.rows)
        styles = Array(repeating: Style(), count: self.cols * self.rows)
        glyphs = Array(repeating: nil, count: self.cols * self.rows)
        layer = patterns
    }

    /// The braille bit of dot (dx, dy) inside a cell, dx ∈ 0…1, dy ∈ 0…3 (ntcharts/canvas/runes).
    @inline(__always) public static func bit(_ dx: Int, _ dy: Int) -> UInt8 {
        dy == 3 ? (dx == 0 ? 0x40 : 0x80) : UInt8(1 << (dy + 3 * dx))
    }

    /// Sets one dot of the current layer; out-of-range dots are dropped.
    @inline(__always) public mutating func dot(_ x: Int, _ y: Int) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = (y >> 2) * cols + (x >> 1)
        if layer[i] == 0 { touched.append(i) }
        layer[i] |= BrailleCanvas.bit(x & 1, y & 3)
    }

    /// Bresenham between two dots, endpoints included.
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            dot(x, y)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Composites the current layer over the canvas with `style` (and an optional marker glyph instead of
    /// braille, for monochrome terminals), then clears the layer.
    public mutating func commit(_ style: Style, glyph: Unicode.Scalar? = nil) {
        for i in touched {
            patterns[i] = layer[i]; styles[i] = style; glyphs[i] = glyph
            layer[i] = 0
        }
        touched.removeAll(keepingCapacity: true)
    }

    /// Whether a cell has any dot (so overlays such as event lines can skip it).
    public func isSet(col: Int, row: Int) -> Bool { patterns[row * cols + col] != 0 }

    /// Writes the non-empty cells into the buffer at `origin`.
    public func draw(into buf: inout ScreenBuffer, x: Int, y: Int) {
        for r in 0..<rows {
            for c in 0..<cols {
                let i = r * cols + c
                guard patterns[i] != 0 else { continue }
                let ch = glyphs[i] ?? Unicode.Scalar(0x2800 + UInt32(patterns[i]))!
                buf.set(x + c, y + r, ch, styles[i])
            }
        }
    }
}
