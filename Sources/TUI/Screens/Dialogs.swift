// Overlays: the help screen (generated from the binding table), confirmations, and the new-run/fork form.

public enum Dialogs {
    /// A centred dialog box on the dialog background; returns its inner rect.
    static func box(_ area: Rect, width: Int, height: Int, title: String, into buf: inout ScreenBuffer) -> Rect {
        let r = area.centered(width: width, height: height)
        let inner = Block.render(in: r, into: &buf, title: title, focused: true)
        buf.restyle(r, Style(fg: nil, bg: .role(.dialogBg)))
        buf.restyle(inner, Style(.dialogFg))
        return inner
    }

    /// Every binding, grouped by context, in one or two columns.
    public static func helpLines() -> [(key: String, text: String, isHeader: Bool)] {
        var out: [(String, String, Bool)] = []
        for ctx in BindingContext.allCases {
            let bs = Bindings.table.filter { $0.context == ctx }
            guard !bs.isEmpty else { continue }
            if !out.isEmpty { out.append(("", "", false)) }
            out.append(("", ctx.rawValue, true))
            for b in bs { out.append((b.keys.map(\.label).joined(separator: " "), b.description, false)) }
        }
        return out
    }

    public static func help(scroll: Int, in area: Rect, into buf: inout ScreenBuffer) {
        let inner = box(area, width: area.width - 4, height: area.height - 2, title: "help · keys (Esc closes)", into: &buf)
        guard inner.height > 0, inner.width > 10 else { return }
        let lines = helpLines()
        let twoColumns = inner.width >= 90
        let perColumn = twoColumns ? (lines.count + 1) / 2 : lines.count
        let cols = twoColumns ? inner.columns(2) : [inner]
        let skip = min(max(0, scroll), max(0, perColumn - inner.height))
        for (c, col) in cols.enumerated() {
            let slice = lines.dropFirst(c * perColumn).prefix(perColumn).dropFirst(skip).prefix(inner.height)
            for (i, l) in slice.enumerated() {
                let y = col.y + i
                if l.isHeader { buf.put(l.text, x: col.x + 1, y: y, maxWidth: col.width - 1, Style(.title, attrs: [.bold])); continue }
                buf.put(l.key, x: col.x + 2, y: y, maxWidth: 16, Style(.keyFg, attrs: [.bold]))
                buf.put(l.text, x: col.x + 19, y: y, maxWidth: col.width - 20, Style(.dialogFg))
            }
        }
    }

    public static func confirm(_ d: ConfirmDialog, in area: Rect, into buf: inout ScreenBuffer) {
        let width = min(64, area.width - 4)
        let words = wrap(d.question, width - 4)
        let inner = box(area, width: width, height: words.count + 4, title: "confirm", into: &buf)
        for (i, l) in words.enumerated() { buf.put(l, x: inner.x + 1, y: inner.y + i, maxWidth: inner.width - 2, Style(.warnFg, attrs: [.bold])) }
        var x = inner.x + 1
        let y = inner.maxY - 1
        x += buf.put("y", x: x, y: y, Style(.keyFg, attrs: [.bold])); x += buf.put(" yes   ", x: x, y: y, Style(.dialogFg))
        x += buf.put("n", x: x, y: y, Style(.keyFg, attrs: [.bold])); buf.put(" no", x: x, y: y, Style(.dialogFg))
    }

    public static func form(_ f: RunForm, presets: [PresetChoice], in area: Rect, into buf: inout ScreenBuffer) {
        let title: String = if case .fork = f.mode { "fork run" } else { "new run" }
        let isNew = f.mode == .new
        let listed = isNew ? Array(presets.prefix(6)) : []
        let listRows = listed.isEmpty ? 0 : listed.count + 1
        let inner = box(area, width: min(64, area.width - 4), height: min(area.height, f.fields.count + (f.whereRow == nil ? 8 : 9) + listRows), title: title, into: &buf)
        guard inner.height >= f.fields.count + (f.whereRow == nil ? 4 : 5) else { return }
        let preset: String = if case .fork = f.mode { "(from the run's latest checkpoint)" }
            else if presets.indices.contains(f.presetIndex) { "◂ \(presets[f.presetIndex].name) ▸  \(presets[f.presetIndex].summary)" }
            else { "◂ \(AppState.defaultPreset) ▸" }
        var rows = [("preset", preset), ("name", f.name)]
        rows += f.fields.map { ($0.label, $0.value) }
        if f.whereRow != nil {
            rows.append(("run", f.background ? "◂ background ▸  its own process; keeps training after quit"
                                             : "◂ here ▸  in this siamon (stops when it quits)"))
        }
        for (i, (label, value)) in rows.enumerated() {
            let y = inner.y + i
            let current = i == f.row
            buf.put(label, x: inner.x + 1, y: y, maxWidth: 10, Style(.inactiveFg))
            let shown = current && i > 0 && i != f.whereRow ? value + "█" : value
            buf.put(shown, x: inner.x + 12, y: y, maxWidth: inner.width - 13, Style(current ? .selectedFg : .dialogFg, attrs: current ? [.bold] : []))
            if current { buf.restyle(Rect(x: inner.x, y: y, width: inner.width, height: 1), Style(fg: nil, bg: .role(.selectedBg))) }
        }
        // The preset list (←/→ on the first row moves the ▶), if there is room above the error and hint lines.
        let listTop = inner.y + rows.count + 1
        for (i, p) in listed.enumerated() where listTop + i < inner.maxY - 2 {
            let chosen = i == f.presetIndex
            buf.put(chosen ? "▶" : " ", x: inner.x + 10, y: listTop + i, Style(.hiFg))
            buf.put(p.name, x: inner.x + 12, y: listTop + i, maxWidth: 18, Style(chosen ? .hiFg : .dialogFg, attrs: chosen ? [.bold] : []))
            buf.put(p.summary, x: inner.x + 31, y: listTop + i, maxWidth: inner.width - 32, Style(.inactiveFg))
        }
        if let e = f.error { buf.put(e, x: inner.x + 1, y: inner.maxY - 2, maxWidth: inner.width - 2, Style(.errorFg, attrs: [.bold])) }
        buf.put("Enter start · Tab/↓ next · ←/→ preset · Esc cancel", x: inner.x + 1, y: inner.maxY - 1, maxWidth: inner.width - 2, Style(.inactiveFg))
    }

    /// Greedy word wrap.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = [], cur = ""
        for w in text.split(separator: " ") {
            if !cur.isEmpty && cur.count + 1 + w.count > width { lines.append(cur); cur = "" }
            cur += (cur.isEmpty ? "" : " ") + w
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines
    }
}
