@_exported import TestSupport
import Foundation

/// Runs the built `siamon` binary as a child process (TestSupport's ChildProcess), with stdout and stderr
/// captured in files, the committed presets and no inherited runs folder.
enum CLIRunner {
    struct Result {
        var status: Int32          // exit status, or 128 + signal when killed
        var stdout: String
        var stderr: String
        var timedOut: Bool
        var seconds: Double
    }

    static var repoRoot: URL { repositoryRoot }
    static var executable: String { siamonBinary }

    /// A started child: its pid and the files its stdout and stderr go to.
    struct Child {
        let process: ChildProcess
        let folder: TempDir
        var pid: pid_t { process.pid }
        var stdoutSoFar: String { process.output }
    }

    /// Runs `siamon args…` with stdin from /dev/null; kills it after `timeout` seconds.
    static func run(_ args: [String], timeout: Double = 120, environment extra: [String: String] = [:]) throws -> Result {
        wait(try start(args, environment: extra), timeout: timeout)
    }

    /// Starts `siamon args…` (or another built program) without waiting for it.
    static func start(_ args: [String], environment extra: [String: String] = [:], executable exe: String = executable) throws -> Child {
        let folder = TempDir("cli")
        var env = ["SIAMON_PRESETS": repoRoot.appendingPathComponent("runs/presets").path,
                   "SWIFT_BACKTRACE": "enable=no"]   // a crash shows as a signal status, not pages of backtrace
        for (k, v) in extra { env[k] = v }
        let p = try ChildProcess([exe] + args, environment: env, unset: extra["SIAMON_RUNS"] == nil ? ["SIAMON_RUNS"] : [],
                                 outputPath: folder.file("out"), errorPath: folder.file("err"))
        return Child(process: p, folder: folder)
    }

    /// Waits for `child` (SIGKILL after `timeout` seconds) and collects its output.
    static func wait(_ child: Child, timeout: Double = 120) -> Result {
        let (status, timedOut) = child.process.wait(timeout: timeout)
        return Result(status: status, stdout: child.process.output, stderr: child.process.errorOutput, timedOut: timedOut,
                      seconds: Date().timeIntervalSince(child.process.started))
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
