// Header, status line, key bar, and the too-small message: the frame around every screen.

import Foundation

public enum Chrome {
    public static func header(_ s: AppState, in r: Rect, into buf: inout ScreenBuffer) {
        buf.fill(r, " ", Style(.statusFg, bg: .statusBg))
        var x = r.x + buf.put(" siamon ", x: r.x, y: r.y, Style(.title, bg: .statusBg, attrs: [.bold]))
        let live = s.runs.filter(\.status.isLive).count
        var parts = [s.screen == .compare ? "compare" : "dashboard", "\(s.runs.count) run\(s.runs.count == 1 ? "" : "s") (\(live) live)",
                     "x: \(s.chart.xMode.label)"]
        if s.chart.smoothing { parts.append("smooth \(s.chart.smoothingWeight)") }
        if s.chart.logY { parts.append("log y") }
        if !s.filter.isEmpty { parts.append("filter /\(s.filter)") }
        for p in parts { x += buf.put("│ \(p) ", x: x, y: r.y, maxWidth: r.maxX - x, Style(.statusFg, bg: .statusBg)) }
        let help = " ? help "
        if r.maxX - x > help.count { buf.put(help, x: r.maxX - help.count, y: r.y, Style(.keyFg, bg: .statusBg)) }
    }

    /// step/total, epoch, loss, lr, momentum, grad norm, images/s, ETA; a message takes the right end.
    public static func statusLine(_ s: AppState, in r: Rect, into buf: inout ScreenBuffer) {
        buf.fill(r, " ", Style(.statusFg, bg: .statusBg))
        var x = r.x + 1
        // A message takes the right end; the segments stop before it rather than run under it.
        let end = r.maxX - (s.message.map { min($0.unicodeScalars.count + 2, r.width) } ?? 0)
        if let run = s.screen == .compare ? s.compareCursorRun : s.selectedRun {
            let info = s.data[run.id]?.status ?? StatusInfo(step: run.step, totalSteps: run.totalSteps, epoch: run.epoch, loss: run.lastLoss)
            x += buf.put("\(Character(run.status.glyph)) \(run.name) ", x: x, y: r.y, maxWidth: r.maxX - x, Style(.statusFg, bg: .statusBg, attrs: [.bold]))
            x += buf.put(run.status.rawValue, x: x, y: r.y, maxWidth: r.maxX - x, Style(RunListWidget.statusRole(run.status), bg: .statusBg, attrs: [.bold]))
            if run.status.isLive, let owner = run.owner { x += buf.put("  @" + owner, x: x, y: r.y, maxWidth: end - x, Style(.statusFg, bg: .statusBg)) }
            // Whole segments only: a value cut in half ("lr 1.50e-") reads as a different value.
            for seg in segments(info) {
                guard x + 2 + seg.unicodeScalars.count <= end else { break }
                x += buf.put("  " + seg, x: x, y: r.y, maxWidth: r.maxX - x, Style(.statusFg, bg: .statusBg))
            }
        } else {
            buf.put("no run selected", x: x, y: r.y, maxWidth: r.width - 1, Style(.inactiveFg, bg: .statusBg))
        }
        if let m = s.message {
            let text = " \(m) "
            let w = min(text.unicodeScalars.count, r.width)
            let start = r.maxX - w
            buf.fill(Rect(x: start, y: r.y, width: w, height: 1), " ", Style(.hiFg, bg: .statusBg))
            buf.put(text, x: start, y: r.y, maxWidth: w, Style(.hiFg, bg: .statusBg, attrs: [.bold]))
        }
    }

    /// ETA comes right after the step so it survives on narrow terminals.
    static func segments(_ i: StatusInfo) -> [String] {
        var out = ["\(i.step)/\(i.totalSteps)"]
        if let eta = i.etaSeconds { out.append("ETA " + AxisScale.duration(eta)) }
        out.append(String(format: "ep %.2f", i.epoch))
        if let l = i.loss { out.append(String(format: "loss %.4f", l)) }
        if let lr = i.lr { out.append("lr " + String(format: "%.2e", lr)) }
        if let m = i.momentum { out.append(String(format: "mom %.4f", m)) }
        if let g = i.gradNorm { out.append(String(format: "|g| %.2f", g)) }
        if let ips = i.imagesPerSecond { out.append(String(format: "%.0f img/s", ips)) }
        return out
    }

    /// Key bar: the bar bindings of the active contexts, disabled ones dimmed. Generated from the binding table.
    public static func keyBar(_ s: AppState, in r: Rect, into buf: inout ScreenBuffer) {
        buf.fill(r, " ", Style(.mainFg, bg: .mainBg))
        var x = r.x, seen = Set<Command>()
        for ctx in Bindings.activeContexts(s) {
            for b in Bindings.table where b.context == ctx && b.inBar && seen.insert(b.command).inserted {
                let key = b.keys.map(\.label).prefix(1).joined(), desc = b.barLabel ?? ""
                let need = key.count + desc.count + 3
                guard x + need <= r.maxX else { return }
                let disabled = Bindings.disabledReason(b.command, s) != nil
                x += buf.put(" " + key, x: x, y: r.y, Style(disabled ? .inactiveFg : .keyFg, attrs: disabled ? [] : [.bold]))
                x += buf.put(" " + desc + " ", x: x, y: r.y, Style(disabled ? .inactiveFg : .mainFg))
            }
        }
    }

    public static func tooSmall(width: Int, height: Int, into buf: inout ScreenBuffer) {
        let lines = ["Terminal \(width)×\(height) is too small.", "siamon needs at least \(LayoutLimits.minWidth)×\(LayoutLimits.minHeight)",
                     "(\(LayoutLimits.fullWidth)×\(LayoutLimits.fullHeight) for the full dashboard).", "Enlarge the window, or press q to quit."]
        let top = max(0, (height - lines.count) / 2)
        for (i, l) in lines.enumerated() where top + i < height {
            let n = l.unicodeScalars.count
            buf.put(l, x: max(0, (width - n) / 2), y: top + i, Style(i == 0 ? .warnFg : .mainFg))
        }
    }
}
