// A bordered panel with a title (ratatui's Block). The focused panel gets the focus colour.

public enum Block {
    /// Draws the border and title; returns the inner rectangle.
    @discardableResult
    public static func render(in r: Rect, into buf: inout ScreenBuffer, title: String, focused: Bool = false,
                              right: [(String, ThemeRole)] = []) -> Rect {
        guard r.width >= 2, r.height >= 2 else { return Rect(x: r.x, y: r.y, width: 0, height: 0) }
        let border = Style(focused ? .borderFocus : .divLine)
        buf.fill(r, " ", Style(fg: .role(.mainFg), bg: .role(.mainBg)))
        for x in r.x + 1..<r.maxX - 1 { buf.set(x, r.y, "─", border); buf.set(x, r.maxY - 1, "─", border) }
        for y in r.y + 1..<r.maxY - 1 { buf.set(r.x, y, "│", border); buf.set(r.maxX - 1, y, "│", border) }
        buf.set(r.x, r.y, "┌", border); buf.set(r.maxX - 1, r.y, "┐", border)
        buf.set(r.x, r.maxY - 1, "└", border); buf.set(r.maxX - 1, r.maxY - 1, "┘", border)
        let used = buf.put(" \(title) ", x: r.x + 1, y: r.y, maxWidth: r.width - 2, Style(.title, attrs: focused ? [.bold] : []))
        // Right-aligned legend items in the top border, if they fit after the title.
        let legendWidth = right.reduce(0) { $0 + $1.0.unicodeScalars.count + 1 } + 1
        if legendWidth > 1, r.width - 2 - used - legendWidth >= 1 {
            var x = r.maxX - 1 - legendWidth
            for (text, role) in right {
                x += 1
                x += buf.put(text, x: x, y: r.y, Style(role))
            }
        }
        return r.inset(1)
    }

    /// Text on the bottom border (e.g. "3 ≤0 hidden"), right-aligned.
    public static func footer(_ text: String, in r: Rect, into buf: inout ScreenBuffer, role: ThemeRole = .inactiveFg) {
        let n = text.unicodeScalars.count + 2
        guard r.width - 4 >= n else { return }
        buf.put(" \(text) ", x: r.maxX - 2 - n, y: r.maxY - 1, Style(role))
    }
}
