import Foundation
import Synchronization

/// Set by SIGINT/SIGTERM/SIGHUP: long commands stop cleanly when they see it (training checkpoints first).
let interruptRequested = Atomic<Bool>(false)
/// The signal that asked to stop (0 when none), for the exit code and the stop event's reason.
let interruptSignal = Atomic<Int32>(0)

/// How `siamon train` and the other long commands end. Documented in the README.
enum ExitStatus {
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    /// A run stopped before its last step by a command (`siamon ctl RUN stop`, the TUI): checkpoint written.
    static let stoppedByCommand: Int32 = 3
    /// Stopped by a signal: 128 + the signal (129 SIGHUP, 130 SIGINT, 143 SIGTERM), checkpoint written.
    static func signalled(_ sig: Int32) -> Int32 { 128 + sig }
    /// Standard output went away (a closed pipe): stopped cleanly, as SIGPIPE would have ended it.
    static let stdoutClosed: Int32 = 128 + SIGPIPE
}

func signalName(_ sig: Int32) -> String {
    switch sig {
    case SIGINT: "SIGINT"
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    case SIGPIPE: "SIGPIPE"
    default: "signal \(sig)"
    }
}

/// SIGINT, SIGTERM and SIGHUP set the flags above; SIGPIPE is ignored so a closed stdout shows up as a failed
/// write (the console sink notices and the run stops cleanly) instead of killing the process mid-checkpoint.
func installInterruptHandlers() {
    // A parent may hand these down blocked (posix_spawn keeps the caller's mask, and a test runner's threads
    // block them): unblock them here, or Ctrl-C and kill would never reach the handler.
    var set = sigset_t()
    sigemptyset(&set)
    for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    for s in [SIGINT, SIGTERM, SIGHUP] {
        signal(s) { sig in
            interruptSignal.store(sig, ordering: .relaxed)
            interruptRequested.store(true, ordering: .relaxed)
        }
    }
    signal(SIGPIPE, SIG_IGN)
}
