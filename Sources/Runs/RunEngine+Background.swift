import Foundation
import RunCore

extension RunEngine {
    /// Starts `siamon train --headless` for the run in a session of its own (setsid), its output in
    /// runs/<name>/console.log: it keeps training after this siamon quits, and any siamon steers it through
    /// the store like every other run.
    public func startBackground(preset: String, name: String, overrides: [String: String]) {
        do { try RunName.validate(name) } catch { notices.post("\(error)"); return }
        let dir = runsDirectory.appendingPathComponent(name)
        let sets = overrides.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        let args = ["train", "--headless", "--preset", preset, "--name", name, "--runs", runsDirectory.path] + sets
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let pid = try BackgroundProcess.spawn(arguments: args, log: dir.appendingPathComponent("console.log").path)
            notices.post("started \(name) in the background (pid \(pid)); it keeps training after quit — log: \(dir.path)/console.log")
        } catch {
            notices.post("could not start \(name) in the background: \(error)")
        }
    }
}

/// A detached child: its own session (no terminal, no SIGHUP from ours), stdin from /dev/null, stdout and
/// stderr appended to a log. A thread reaps it if it ends while this process still runs.
enum BackgroundProcess {
    struct SpawnError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "posix_spawn failed (\(String(cString: strerror(code))))" }
    }

    /// glibc's POSIX_SPAWN_SETSID (since 2.26), which Swift does not see: the C header guards it with _GNU_SOURCE.
    static let setSID: Int32 = 0x80

    static func spawn(arguments: [String], log: String) throws -> pid_t {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // A fresh session, and the default signal mask: the UI blocks signals on some threads.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(setSID | POSIX_SPAWN_SETSIGMASK))
        let argv = ([exe] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, &attr, argv, environ)
        guard rc == 0 else { throw SpawnError(code: rc) }
        let child = pid
        Thread.detachNewThread { var status: Int32 = 0; waitpid(child, &status, 0) }
        return child
    }
}
