import Foundation

/// Ctrl-C and SIGTERM for the long phases outside the training loop (data loading, probing, imports,
/// exports): the handlers set `interruptRequested`, which the long loops poll through `cancelled`.
enum LongPhase {
    /// The poll the long loops call.
    static let cancelled: @Sendable () -> Bool = { interruptRequested.load(ordering: .relaxed) }

    /// The same handlers as training (Signals.swift): they record which signal came, for the exit code.
    static func installHandlers() { installInterruptHandlers() }

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
