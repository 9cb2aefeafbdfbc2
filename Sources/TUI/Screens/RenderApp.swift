// The whole frame: state in, buffer out. Immediate mode: rebuilt from AppState every frame (ratatui).

public func renderApp(_ s: AppState) -> ScreenBuffer {
    var buf = ScreenBuffer(width: s.width, height: s.height)
    renderApp(s, into: &buf)
    return buf
}

/// Renders into an existing buffer of the right size (reused between frames to avoid allocation).
public func renderApp(_ s: AppState, into buf: inout ScreenBuffer) {
    if buf.width != s.width || buf.height != s.height { buf = ScreenBuffer(width: s.width, height: s.height) }
    buf.fill(buf.area, " ", Style(fg: .role(.mainFg), bg: .role(.mainBg)))
    if s.screen == .compare, let l = CompareLayout.make(for: s) {
        Chrome.header(s, in: l.header, into: &buf)
        CompareScreen.render(s, l, into: &buf)
        Chrome.statusLine(s, in: l.status, into: &buf)
        Chrome.keyBar(s, in: l.keyBar, into: &buf)
    } else if let l = DashboardLayout.make(width: s.width, height: s.height, focus: s.focus) {
        Chrome.header(s, in: l.header, into: &buf)
        Dashboard.render(s, l, into: &buf)
        Chrome.statusLine(s, in: l.status, into: &buf)
        Chrome.keyBar(s, in: l.keyBar, into: &buf)
    } else {
        Chrome.tooSmall(width: s.width, height: s.height, into: &buf)
        return
    }
    let body = Rect(x: 0, y: 1, width: s.width, height: s.height - 2)
    switch s.overlay {
    case .help(let scroll): Dialogs.help(scroll: scroll, in: body, into: &buf)
    case .confirm(let d): Dialogs.confirm(d, in: body, into: &buf)
    case .form(let f): Dialogs.form(f, presets: s.presets, in: body, into: &buf)
    case .filter, nil: break
    }
}
