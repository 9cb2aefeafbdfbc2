import CTrap
import Foundation
import Synchronization

/// What a contained trap left behind: the signal, its si_code and si_addr (the faulting instruction for SIGILL).
public struct TrapInfo: Sendable, Equatable, CustomStringConvertible {
    public let signal: Int32
    public let code: Int32
    public let address: UInt

    public var signalName: String {
        switch signal {
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGFPE: "SIGFPE"
        case SIGBUS: "SIGBUS"
        default: "signal \(signal)"
        }
    }

    /// What the signal usually means in siamon's code.
    public var meaning: String {
        switch signal {
        case SIGILL, SIGTRAP: "a Swift runtime check failed (fatalError, precondition, index out of range, overflow)"
        case SIGFPE: "an arithmetic fault"
        case SIGBUS: "a bus error (a mapped file shrank?)"
        default: "a fault"
        }
    }

    public var description: String { "\(signalName), \(meaning), at 0x\(String(address, radix: 16))" }
}

/// One run's threads for trap containment (docs/architecture.md §5: a trainer thread that traps marks its run
/// failed, the UI stays up, and other runs continue). A thread that runs `contain` is inside the cell; a Swift trap
/// on it (SIGILL/SIGTRAP, or SIGFPE/SIGBUS) parks that thread for good instead of killing the process, and
/// `onTrap` runs once, on a fresh thread, with what happened. Traps anywhere else still crash as before.
///
/// Limits: the parked thread keeps whatever it held (memory, and any lock it was inside), so its owner must
/// never wait on it; SIGSEGV and SIGABRT (memory errors, glibc's and the Swift runtime's aborts) are not
/// contained, because the process state after them cannot be trusted.
public final class TrapCell: @unchecked Sendable {
    let raw: OpaquePointer
    private let handler: Mutex<(@Sendable (TrapInfo) -> Void)?>
    private let fired = Atomic<Bool>(false)

    public init(onTrap: (@Sendable (TrapInfo) -> Void)? = nil) {
        guard let cell = ctrap_cell_new(nil) else { fatalError("TrapCell: out of memory") }
        raw = cell
        handler = Mutex(onTrap)
        // Unretained: a thread parked in this cell is inside `contain`, whose caller holds the cell for ever.
        ctrap_cell_set_context(raw, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { ctrap_cell_free(raw) }

    /// The trap that parked one of this cell's threads, if any. Lock-free: safe to ask from the UI thread.
    public var trap: TrapInfo? {
        let sig = ctrap_cell_signal(raw)
        guard sig != 0 else { return nil }
        return TrapInfo(signal: sig, code: ctrap_cell_code(raw), address: UInt(ctrap_cell_address(raw)))
    }

    /// Runs `body` on the calling thread inside this cell. A contained trap never returns from here.
    /// When containment cannot be set up (no handlers, no memory for the signal stack) `body` runs uncontained.
    public func contain<T>(_ body: () throws -> T) rethrows -> T {
        guard TrapContainment.active, ctrap_enter(raw) == 0 else { return try body() }
        defer { ctrap_leave() }
        return try body()
    }

    /// Runs `body` inside `cell` when there is one (a thread started by a contained thread joins its cell).
    public static func contain<T>(_ cell: TrapCell?, _ body: () throws -> T) rethrows -> T {
        guard let cell else { return try body() }
        return try cell.contain(body)
    }

    /// The cell the calling thread is in.
    public static var current: TrapCell? {
        guard let raw = ctrap_current(), let ctx = ctrap_cell_context(raw) else { return nil }
        return Unmanaged<TrapCell>.fromOpaque(ctx).takeUnretainedValue()
    }

    /// Called by the watcher. The handler runs on its own thread, because it may block on something the
    /// parked thread holds; the watcher must stay free for the next trap.
    fileprivate func fire() {
        guard let info = trap, !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard let h = handler.withLock({ $0 }) else { return }
        let t = Thread { h(info) }
        t.name = "siamon-trap-report"
        t.start()
    }
}

/// The process-wide part: the signal handlers (installed on first use) and the watcher thread that reads
/// the trapped cells' addresses from the handler's pipe.
public enum TrapContainment {
    /// True once the handlers are installed; false if sigaction or the pipe failed (then nothing is contained).
    public static var active: Bool { installation }

    private static let installation: Bool = {
        var fd: Int32 = -1
        guard ctrap_install(&fd) == 0 else { return false }
        let reader = fd
        let t = Thread { watch(reader) }
        t.name = "siamon-trap-watch"
        t.start()
        return true
    }()

    private static func watch(_ fd: Int32) {
        let size = MemoryLayout<UInt>.size
        var word: UInt = 0
        while true {
            let n = withUnsafeMutableBytes(of: &word) { read(fd, $0.baseAddress, size) }
            if n < 0 && errno == EINTR { continue }
            guard n == size else { return }   // the pipe never closes; a short read would be a bug
            guard let raw = OpaquePointer(bitPattern: word), let ctx = ctrap_cell_context(raw) else { continue }
            Unmanaged<TrapCell>.fromOpaque(ctx).takeUnretainedValue().fire()
        }
    }
}
