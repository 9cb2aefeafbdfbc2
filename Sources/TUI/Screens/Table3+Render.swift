// Table 3 drawn into the cell buffer: switch values away from the official setting are highlighted, so a row
// reads like the paper's (only what changed stands out).

extension Table3 {
    public static func render(_ runs: [RunRow], in area: Rect, into buf: inout ScreenBuffer) {
        let rows = runs.map(row)
        let short = shortNames(rows.map(\.name))
        let shared = short.prefix.isEmpty && short.suffix.isEmpty ? "" : " · \(short.prefix)…\(short.suffix)"
        let subset = rows.contains(where: \.subsetProbe) ? " · * subset probe" : ""
        let inner = Block.render(in: area, into: &buf, title: "Table 3\(shared)\(subset)")
        guard inner.width > 20, inner.height > 1 else { return }
        var c = cells(rows, narrow: false, names: short.names)
        if (widths(c).reduce(0, +) + widths(c).count) > inner.width - 1 {
            c = cells(rows, narrow: true, names: short.names)
        }
        var w = widths(c)
        let fixed = w.dropFirst().reduce(0, +) + w.count
        w[0] = max(3, min(w[0], inner.width - 1 - fixed))
        let shown = c.count <= inner.height ? c.count : inner.height - 1   // lines, header included
        for (i, line) in c.prefix(shown).enumerated() {
            var x = inner.x + 1
            for (col, text) in line.enumerated() where x < inner.maxX {
                let style = Style(role(row: i, col: col, rows: rows))
                buf.put(text, x: x, y: inner.y + i, maxWidth: min(w[col], inner.maxX - x), style)
                x += w[col] + 1
            }
        }
        if shown < c.count {
            buf.put("+\(c.count - shown) more runs", x: inner.x + 1, y: inner.y + shown, maxWidth: inner.width - 1, Style(.inactiveFg))
        }
    }

    static func role(row i: Int, col: Int, rows: [Row]) -> ThemeRole {
        if i == 0 { return .title }
        if col == 0 { return ThemeRole.seriesPalette[CompareScreen.colorIndex(rows[i - 1].name)] }
        if col <= switches.count {
            let official = switches[col - 1].defaultValue
            return rows[i - 1].switches[col - 1] == official ? .inactiveFg : .hiFg
        }
        return .mainFg
    }
}
