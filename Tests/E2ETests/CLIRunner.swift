import Foundation

/// Runs the built `siamon` binary as a child process (posix_spawn + waitpid: Foundation.Process's
/// waitUntilExit can hang on Linux, docs/platform.md §7), with stdout and stderr captured in files.
enum CLIRunner {
    struct Result {
        var status: Int32          // exit status, or 128 + signal when killed
        var stdout: String
        var stderr: String
        var timedOut: Bool
        var seconds: Double
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `siamon` next to this test bundle (.build/<triple>/debug/), else .build/debug/siamon in the repository.
    static var executable: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("siamon").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repoRoot.appendingPathComponent(".build/debug/siamon").path
    }

    /// A started child: its pid and the files its stdout and stderr go to.
    struct Child {
        let pid: pid_t
        let outPath: String
        let errPath: String
        let start: Date
        var stdoutSoFar: String { String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self) }
    }

    /// Runs `siamon args…` with stdin from /dev/null; kills it after `timeout` seconds.
    static func run(_ args: [String], timeout: Double = 120, environment extra: [String: String] = [:]) throws -> Result {
        wait(try start(args, environment: extra), timeout: timeout)
    }

    /// Starts `siamon args…` (or another built program) without waiting for it.
    static func start(_ args: [String], environment extra: [String: String] = [:], executable exe: String = executable) throws -> Child {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("siamon-cli-\(UUID().uuidString)")
        let outPath = out.path + ".out", errPath = out.path + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var env = ProcessInfo.processInfo.environment
        env["SIAMON_PRESETS"] = repoRoot.appendingPathComponent("runs/presets").path
        env["SIAMON_RUNS"] = nil
        env["SWIFT_BACKTRACE"] = "enable=no"   // a crash shows as a signal status, not pages of backtrace
        for (k, v) in extra { env[k] = v }
        let cArgs = ([exe] + args).map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, cArgs, cEnv)
        guard rc == 0 else { throw CocoaError(.executableLoad, userInfo: ["detail": "posix_spawn \(exe): \(rc)"]) }
        return Child(pid: pid, outPath: outPath, errPath: errPath, start: Date())
    }

    /// Waits for `child` (SIGKILL after `timeout` seconds) and collects its output.
    static func wait(_ child: Child, timeout: Double = 120) -> Result {
        defer { try? FileManager.default.removeItem(atPath: child.outPath); try? FileManager.default.removeItem(atPath: child.errPath) }
        var status: Int32 = 0, timedOut = false
        while waitpid(child.pid, &status, WNOHANG) == 0 {
            if Date().timeIntervalSince(child.start) > timeout {
                kill(child.pid, SIGKILL); timedOut = true; _ = waitpid(child.pid, &status, 0); break
            }
            usleep(10_000)
        }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func read(_ p: String) -> String { String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self) }
        return Result(status: code, stdout: read(child.outPath), stderr: read(child.errPath), timedOut: timedOut,
                      seconds: Date().timeIntervalSince(child.start))
    }
}

/// Every regular file under `dir` with its bytes (paths relative to `dir`), to prove a command changed nothing.
/// SQLite's `-shm` index and an empty `-wal` are left out: a read-only reader of a WAL database creates them
/// and cannot remove them, and neither holds data.
func fileSnapshot(_ dir: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    let e = FileManager.default.enumerator(atPath: dir.path)
    while let rel = e?.nextObject() as? String {
        var isDir: ObjCBool = false
        let path = dir.appendingPathComponent(rel).path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
            let data = FileManager.default.contents(atPath: path) ?? Data()
            if rel.hasSuffix("-shm") || (rel.hasSuffix("-wal") && data.isEmpty) { continue }
            out[rel] = data
        }
    }
    return out
}
