// The run list: status glyph, name, step, last loss and a sparkline per run; the selected row highlighted.

import Foundation

public enum RunListWidget {
    public static func statusRole(_ s: RowStatus) -> ThemeRole {
        switch s {
        case .running: .running
        case .paused, .stalled: .paused
        case .done: .done
        case .failed, .interrupted: .failed
        case .stopped, .queued: .queued
        }
    }

    /// First visible row so that the selection stays on screen.
    public static func scrollOffset(rows: [RunRow], selected: String?, height: Int) -> Int {
        guard height > 0, let i = rows.firstIndex(where: { $0.id == selected }) else { return 0 }
        return max(0, i - height + 1)
    }

    /// `checked` non-nil shows a [x] column (compare view); `cursor` is then the highlighted row.
    public static func render(_ rows: [RunRow], in area: Rect, into buf: inout ScreenBuffer, selected: String?,
                              focused: Bool, title: String, checked: Set<String>? = nil, emptyText: String = "no runs") {
        let inner = Block.render(in: area, into: &buf, title: title, focused: focused)
        guard inner.width > 4, inner.height > 0 else { return }
        if rows.isEmpty {
            buf.put(emptyText, x: inner.x + 1, y: inner.y, maxWidth: inner.width - 1, Style(.inactiveFg))
            return
        }
        let offset = scrollOffset(rows: rows, selected: selected, height: inner.height)
        for (i, run) in rows.dropFirst(offset).prefix(inner.height).enumerated() {
            let line = Rect(x: inner.x, y: inner.y + i, width: inner.width, height: 1)
            row(run, in: line, into: &buf, checked: checked.map { $0.contains(run.id) })
            if run.id == selected {
                buf.restyle(line, Style(fg: nil, bg: .role(.selectedBg), attrs: focused ? [.bold] : []))
                buf.restyle(Rect(x: line.x + 2 + (checked == nil ? 0 : 4), y: line.y, width: nameWidth(line.width, checked != nil), height: 1),
                            Style(.selectedFg))
            }
        }
    }

    static func nameWidth(_ w: Int, _ checkbox: Bool) -> Int {
        let fixed = 2 + (checkbox ? 4 : 0) + (w >= 34 ? 7 : 0) + 7 + sparkWidth(w)
        return max(4, w - fixed)
    }
    static func sparkWidth(_ w: Int) -> Int { w >= 34 ? 9 : 7 }

    static func row(_ run: RunRow, in r: Rect, into buf: inout ScreenBuffer, checked: Bool?) {
        var x = r.x
        buf.set(x, r.y, run.status.glyph, Style(statusRole(run.status))); x += 2
        if let c = checked { buf.put(c ? "[x] " : "[ ] ", x: x, y: r.y, Style(c ? .hiFg : .inactiveFg)); x += 4 }
        let nw = nameWidth(r.width, checked != nil)
        let name = RunNameFit.fit(run.name, width: nw)
        buf.put(name, x: x, y: r.y, maxWidth: nw, Style(run.source == .siamon ? .mainFg : .inactiveFg)); x += nw
        if r.width >= 34 { x += rightAligned(AxisScale.label(Double(run.step)), x, r.y, 6, &buf, .inactiveFg) }
        x += rightAligned(run.lastLoss.map { String(format: "%.3f", $0) } ?? "–", x, r.y, 6, &buf, .mainFg)
        Sparkline.render(run.sparkline, in: Rect(x: x + 1, y: r.y, width: sparkWidth(r.width) - 1, height: 1), into: &buf)
    }

    /// Writes `text` right-aligned in `width` columns after one space; returns the columns used (width + 1).
    static func rightAligned(_ text: String, _ x: Int, _ y: Int, _ width: Int, _ buf: inout ScreenBuffer, _ role: ThemeRole) -> Int {
        let t = String(text.suffix(width))
        buf.put(t, x: x + 1 + width - t.count, y: y, Style(role))
        return width + 1
    }
}
