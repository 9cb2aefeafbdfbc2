// The frame loop: read keys (≤ 50 ms wait, ~20 fps), poll the driver, reduce, perform effects, and redraw only
// when the state changed.

import Foundation
import Glibc
import Synchronization
import TUI

/// The adapter between the TUI and the trainers/store.
///
/// Contract: both methods are called on the UI thread and MUST return immediately (microseconds). Never read
/// the disk, wait on a lock held by a trainer, or run a query inside them: do that work on your own threads and
/// hand results back through `poll`, which returns whatever has arrived since the last call.
///
/// What the UI expects to receive (all plain TUI values):
/// - `.presets` once at start; `.runs` whenever the list or a row changes (≤ 2 Hz is plenty).
/// - `.series(runId:key:)` in answer to each `.requestSeries` (keys "loss", "loss_pos", "loss_neg", "lr",
///   "momentum"): at most `columns` buckets in the requested x mode, or the raw points when there are fewer.
///   Answer with an empty series when there is no data, so the UI stops asking. Requests repeat every 0.5 s
///   for live runs; coalesce duplicates.
/// - `.planned` once per run shown, `.events` when they change, `.status` and `.snapshot` for the runs named
///   by the latest `.selectRuns`.
public protocol AppDriver: AnyObject {
    /// Events that arrived since the last poll (runs, series, snapshots, messages …). `now` is wall-clock seconds.
    func poll(now: Double) -> [AppEvent]
    /// Starts an effect (start/pause/stop a run, fetch a series …). `.quit` is delivered last, just before
    /// `runApp` returns; with `stopRunning: true` the driver must checkpoint and stop live runs before it returns.
    func perform(_ effect: Effect)
}

/// SIGINT/SIGTERM number received, 0 = none. Written by the signal handler, read by the loop.
let pendingSignal = Atomic<Int32>(0)

/// Runs the UI until the user quits (returns 0) or SIGINT/SIGTERM arrives (returns 128 + signal).
/// The terminal is restored in every case that returns. With `stderrLog`, stderr goes to that file while the
/// UI runs and is replayed afterwards (StderrCapture).
public func runApp(initial: AppState, driver: AppDriver, theme: Theme, stderrLog: String? = nil) -> Int32 {
    guard isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 else {
        FileHandle.standardError.write(Data("siamon: the TUI needs a terminal on stdin and stdout; use `siamon runs`, `siamon train --headless` or `siamon compare --print` instead\n".utf8))
        return 1
    }
    let term: Terminal
    do { term = try Terminal(theme: theme, environment: ProcessInfo.processInfo.environment) } catch {
        FileHandle.standardError.write(Data("siamon: \(error)\n".utf8))
        return 1
    }
    let capture = stderrLog.flatMap { StderrCapture(path: $0) }
    defer { term.close(); capture?.restore() }
    signal(SIGINT) { pendingSignal.store($0, ordering: .relaxed) }
    signal(SIGTERM) { pendingSignal.store($0, ordering: .relaxed) }
    signal(SIGHUP) { pendingSignal.store($0, ordering: .relaxed) }   // the terminal went away: stop runs cleanly
    // A parent may hand these down blocked (posix_spawn and tmux keep the caller's mask): unblocked here, or
    // closing the terminal or `kill` would leave the UI, and the runs it trains, going for ever.
    var handled = sigset_t()
    sigemptyset(&handled)
    for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&handled, s) }
    pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    defer { signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL); signal(SIGHUP, SIG_DFL) }

    var state = initial
    state.monochrome = term.monochrome
    let (w, h) = term.size
    var loop = FrameLoop(term: term, driver: driver)
    loop.apply(&state, .resize(width: w, height: h))
    while true {
        let sig = pendingSignal.exchange(0, ordering: .relaxed)
        if sig != 0 { driver.perform(.quit(stopRunning: true)); return 128 + sig }
        if loop.quit { return 0 }
        loop.frame(&state)
    }
}

struct FrameLoop {
    let term: Terminal
    let driver: AppDriver
    var dirty = true
    var quit = false
    var buffer = ScreenBuffer(width: 0, height: 0)
    /// When the last resize was seen. For half a second after it every frame is repainted in full at the
    /// size curses reports then: during a resize storm ncurses coalesces SIGWINCHs, and a KEY_RESIZE can carry
    /// a size that is already stale, which left parts of the screen unpainted (a tmux storm test showed it).
    var lastResize = -1e9

    init(term: Terminal, driver: AppDriver) { self.term = term; self.driver = driver }

    /// One frame: wait ≤ 50 ms for input, drain the rest, poll the driver, tick, draw if anything changed.
    mutating func frame(_ s: inout AppState) {
        var input = term.read(timeoutMs: 50)
        while let i = input, !quit {
            switch i {
            case .key(let k): apply(&s, .key(k))
            case .resize(let w, let h):
                apply(&s, .resize(width: w, height: h)); term.invalidate()
                lastResize = Date().timeIntervalSince1970
            }
            input = term.read(timeoutMs: 0)
        }
        let now = Date().timeIntervalSince1970
        if term.syncSize() { lastResize = now }
        let (w, h) = term.size
        if w != s.width || h != s.height {
            apply(&s, .resize(width: w, height: h))
            lastResize = now
        }
        if now - lastResize < 0.5 { term.invalidate(); dirty = true }
        for e in driver.poll(now: now) where !quit { apply(&s, e) }
        let hadMessage = s.message != nil
        let effects = update(&s, .tick(now: now))
        if hadMessage != (s.message != nil) { dirty = true }
        perform(effects)
        if s.mouseEnabled != term.mouseOn { term.setMouse(s.mouseEnabled) }
        guard dirty, !quit else { return }
        renderApp(s, into: &buffer)
        term.draw(buffer)
        dirty = false
    }

    mutating func apply(_ s: inout AppState, _ e: AppEvent) {
        dirty = true
        perform(update(&s, e))
    }

    mutating func perform(_ effects: [Effect]) {
        for e in effects {
            switch e {
            case .redraw: term.invalidate(); dirty = true
            case .quit: driver.perform(e); quit = true; return
            default: driver.perform(e)
            }
        }
    }
}
