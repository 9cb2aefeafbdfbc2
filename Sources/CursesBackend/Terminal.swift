// The only owner of the curses screen: init and teardown, colour mode, diff flushing, keys, mouse, resize.
// Every method must be called from the one UI thread.

import CNCursesW
import Glibc
import Foundation
import TUI

public enum TerminalError: Error, CustomStringConvertible {
    case cannotOpen(String)
    case cannotAddress(String)
    public var description: String {
        switch self {
        case .cannotAddress(let term):
            "TERM=\(term) cannot move the cursor, so the full-screen UI cannot run; set TERM (e.g. xterm-256color) or use 'siamon train --headless'"
        case .cannotOpen(let term):
            "cannot open the terminal (TERM=\(term)); run siamon in a terminal, or use 'siamon train --headless'"
        }
    }
}

/// What one read produced.
enum Input { case key(Key), resize(Int, Int) }

public final class Terminal {
    private let screen: OpaquePointer
    private let win: UnsafeMutablePointer<WINDOW>
    private var palette: Palette
    private var previous: ScreenBuffer?
    private(set) var mouseOn = false
    public let monochrome: Bool
    private var closed = false

    /// Sets the locale (UTF-8 required for braille and blocks), opens the screen, and picks the colour mode:
    /// none under NO_COLOR (non-empty) or TERM=dumb, direct colour when terminfo has 2^24 colours, else 256 or 8.
    public init(theme: Theme, environment: [String: String]) throws(TerminalError) {
        setlocale(LC_ALL, "")
        if String(cString: swc_codeset()) != "UTF-8" { setlocale(LC_ALL, "C.UTF-8") }
        let term = environment["TERM"] ?? ""
        let opened = Terminal.directColorTerm(environment).flatMap { swc_newterm($0) } ?? swc_newterm(nil)
        guard let s = opened else { throw .cannotOpen(term) }
        guard swc_can_address() != 0 else { endwin(); delscreen(s); throw .cannotAddress(term) }
        screen = s
        guard let w = swc_stdscr() else { endwin(); throw .cannotOpen(term) }
        win = w
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || term == "dumb" || !has_colors()
        var mode = ColorMode.none
        if !noColor {
            start_color()
            use_default_colors()
            let colors = swc_colors()
            mode = colors >= 1 << 24 ? .direct : colors >= 256 ? .xterm256 : colors >= 8 ? .basic8 : .none
        }
        monochrome = mode == .none
        palette = Palette(mode: mode, theme: theme, maxPairs: Int32(max(1, min(swc_color_pairs(), 32767))))
        raw(); noecho(); keypad(win, true); curs_set(0)
        set_escdelay(25)          // Esc must feel instant; arrow sequences arrive well within 25 ms
        mouseinterval(0)
        wtimeout(win, 50)
    }

    deinit { close() }

    /// COLORTERM=truecolor|24bit says the terminal takes 24-bit colour, but most TERM entries only describe 256
    /// colours; ncurses emits 24-bit colour only through a "-direct" terminfo entry, so use one if installed.
    static func directColorTerm(_ env: [String: String]) -> String? {
        guard let ct = env["COLORTERM"]?.lowercased(), ct == "truecolor" || ct == "24bit",
              let t = env["TERM"], !t.hasSuffix("-direct"), t != "dumb" else { return nil }
        let name = t.hasPrefix("tmux") ? "tmux-direct" : "xterm-direct"
        let dirs = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", (env["HOME"] ?? "") + "/.terminfo"]
        return dirs.contains { FileManager.default.fileExists(atPath: "\($0)/\(name.prefix(1))/\(name)") } ? name : nil
    }

    /// Restores the terminal; safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        if mouseOn { mousemask(0, nil) }
        endwin()
        delscreen(screen)
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(win)), Int(getmaxy(win))) }

    /// Makes curses agree with the kernel's window size. ncurses learns a new size only from a SIGWINCH it
    /// sees during input; in a resize storm a late signal can be coalesced away and curses keeps drawing at
    /// a stale size. Returns true when it had to resize.
    @discardableResult
    public func syncSize() -> Bool {
        var rows: Int32 = 0, cols: Int32 = 0
        guard swc_real_size(&rows, &cols) != 0, rows != getmaxy(win) || cols != getmaxx(win) else { return false }
        resizeterm(rows, cols)
        invalidate()
        return true
    }

    public func setMouse(_ on: Bool) {
        guard on != mouseOn else { return }
        mousemask(on ? swc_all_mouse_events() : 0, nil)
        mouseOn = on
    }

    /// Forgets what is on screen, so the next draw repaints every cell (Ctrl-L, pair recycling).
    public func invalidate() {
        previous = nil
        clearok(win, true)
    }

    /// Writes only the cells that changed since the last draw, then refreshes once.
    public func draw(_ buf: ScreenBuffer) {
        for i in buf.changedCells(since: previous) {
            let cell = buf.cells[i]
            put(cell, y: Int32(i / buf.width), x: Int32(i % buf.width))
        }
        previous = buf
        if palette.recycled {          // pairs were reused: earlier cells may show wrong colours now
            palette.recycled = false
            invalidate()
            draw(buf)
            return
        }
        wrefresh(win)
    }

    private func put(_ cell: Cell, y: Int32, x: Int32) {
        var attrs: attr_t = 0
        if cell.attrs.contains(.bold) { attrs |= swc_a_bold() }
        if cell.attrs.contains(.dim) { attrs |= swc_a_dim() }
        if cell.attrs.contains(.underline) { attrs |= swc_a_underline() }
        if cell.attrs.contains(.reverse) { attrs |= swc_a_reverse() }
        if monochrome, case .role(let r) = cell.bg, r == .selectedBg || r == .statusBg || r == .dialogBg { attrs |= swc_a_reverse() }
        let pair = palette.pair(fg: cell.fg, bg: cell.bg)
        _ = swc_mvadd_cell(win, y, x, wchar_t(bitPattern: cell.char.value), attrs, pair)
    }

    /// One key, mouse event or resize; waits up to `timeoutMs` (-1 = block, 0 = poll).
    func read(timeoutMs: Int32) -> Input? {
        wtimeout(win, timeoutMs)
        var wc: wint_t = 0
        let rc = wget_wch(win, &wc)
        if rc == ERR { return nil }
        if rc == KEY_CODE_YES {
            let code = Int32(bitPattern: wc)
            if code == KEY_RESIZE { return .resize(size.width, size.height) }
            if code == KEY_MOUSE {
                var e = MEVENT()
                guard getmouse(&e) == OK, let k = KeyMap.mouse(e) else { return read(timeoutMs: 0) }
                return .key(k)
            }
            return KeyMap.function(code).map { .key($0) } ?? read(timeoutMs: 0)
        }
        return KeyMap.character(UInt32(wc)).map { .key($0) } ?? read(timeoutMs: 0)
    }
}
