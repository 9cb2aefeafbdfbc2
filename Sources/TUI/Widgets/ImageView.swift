// Images drawn with half blocks: one cell = two vertically stacked pixels, '▀' with fg = top, bg = bottom.
// On monochrome terminals a grey ramp of characters stands in for the pixels.

public enum ImageView {
    static let ramp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// The drawn size in pixels (width, height) of an image fitted into `cols`×`2·rows` keeping its aspect.
    public static func fittedSize(imageWidth: Int, imageHeight: Int, cols: Int, rows: Int) -> (Int, Int) {
        guard imageWidth > 0, imageHeight > 0, cols > 0, rows > 0 else { return (0, 0) }
        let s = min(Double(cols) / Double(imageWidth), Double(rows * 2) / Double(imageHeight))
        return (max(1, Int(Double(imageWidth) * s)), max(1, Int(Double(imageHeight) * s)))
    }

    /// Draws `image` centred in `r`. `pixel(tx, ty, dw, dh)` gives each drawn pixel's colour (the caller adds
    /// boxes or shading); `mono(tx, ty, dw, dh)` gives a character for monochrome terminals.
    public static func render(in r: Rect, into buf: inout ScreenBuffer, imageWidth: Int, imageHeight: Int, monochrome: Bool,
                              pixel: (Int, Int, Int, Int) -> CellColor, mono: (Int, Int, Int, Int) -> Unicode.Scalar) {
        let (dw, dh) = fittedSize(imageWidth: imageWidth, imageHeight: imageHeight, cols: r.width, rows: r.height)
        guard dw > 0, dh > 0 else { return }
        let ox = r.x + (r.width - dw) / 2, rowsUsed = (dh + 1) / 2, oy = r.y + (r.height - rowsUsed) / 2
        for row in 0..<rowsUsed {
            for tx in 0..<dw {
                if monochrome {
                    buf.set(ox + tx, oy + row, mono(tx, row * 2, dw, dh), Style(fg: .role(.mainFg), bg: .role(.mainBg)))
                    continue
                }
                let top = pixel(tx, row * 2, dw, dh)
                let bottom = row * 2 + 1 < dh ? pixel(tx, row * 2 + 1, dw, dh) : CellColor.role(.mainBg)
                buf.set(ox + tx, oy + row, "▀", Style(fg: top, bg: bottom))
            }
        }
    }

    /// Nearest-neighbour source pixel of drawn pixel (tx, ty).
    @inline(__always) static func source(_ t: Int, _ drawn: Int, _ size: Int) -> Int { min(size - 1, t * size / max(1, drawn)) }

    static func rampChar(_ c: RGB) -> Unicode.Scalar {
        let lum = (Int(c.r) * 299 + Int(c.g) * 587 + Int(c.b) * 114) / 1000
        return ramp[min(ramp.count - 1, lum * ramp.count / 256)]
    }
}
