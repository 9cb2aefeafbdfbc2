import Foundation
import Synchronization

/// The signal that set `interruptRequested` (SIGINT or SIGTERM), 0 while none arrived, so a command
/// interrupted outside training exits 128 + that signal as a shell does.
let interruptSignal = Atomic<Int32>(0)

/// Ctrl-C and SIGTERM for the long phases outside the training loop (data loading, probing, imports,
/// exports): the handlers set `interruptRequested`, which the long loops poll through `cancelled`.
enum LongPhase {
    /// The poll the long loops call.
    static let cancelled: @Sendable () -> Bool = { interruptRequested.load(ordering: .relaxed) }

    /// Installs the handlers and records which signal came. A parent may hand SIGINT/SIGTERM down blocked
    /// (posix_spawn keeps the caller's mask), so they are unblocked first.
    static func installHandlers() {
        var set = sigset_t()
        sigemptyset(&set); sigaddset(&set, SIGINT); sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in interruptSignal.store(SIGINT, ordering: .relaxed); interruptRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in interruptSignal.store(SIGTERM, ordering: .relaxed); interruptRequested.store(true, ordering: .relaxed) }
    }

    /// Prints `message` as the one line on stderr and exits 130 after SIGINT, 143 after SIGTERM.
    static func exitInterrupted(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        let s = interruptSignal.load(ordering: .relaxed)
        exit(128 + (s == 0 ? SIGINT : s))
    }

    /// Runs `body`; when it ends because of an interrupt (the error it throws, or any error thrown after the
    /// flag was set), prints that error as the one line and exits 130/143.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            if interruptRequested.load(ordering: .relaxed) { exitInterrupted("Error: \(error)") }
            throw error
        }
    }
}
