import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one way tests start programs: posix_spawn and waitpid (Foundation.Process.waitUntilExit can hang on
/// Linux when the child leaves descendants: docs/platform.md §7). stdin is /dev/null; stdout goes to a file,
/// stderr to its own file or after stdout in the same one.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let outputPath: String
    public let errorPath: String?
    public let started = Date()
    public private(set) var exitStatus: Int32?

    /// `environment` adds to (or replaces in) this process's environment; `unset` names variables to drop.
    /// `argv[0]` is looked up in PATH when it has no slash.
    public init(_ argv: [String], environment: [String: String] = [:], unset: [String] = [], outputPath: String,
                errorPath: String? = nil) throws {
        self.outputPath = outputPath; self.errorPath = errorPath
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        for k in unset { env[k] = nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let errorPath { posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        else { posix_spawn_file_actions_adddup2(&actions, 1, 2) }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var p: pid_t = 0
        let rc = posix_spawnp(&p, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else {
            throw NSError(domain: "spawn", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(argv[0]) failed: \(rc)"])
        }
        pid = p
    }

    /// Waits for exit; returns the exit code (or 128+signal).
    @discardableResult
    public func wait() -> Int32 {
        if let s = exitStatus { return s }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exitStatus = Self.code(status)
        return exitStatus!
    }

    /// Waits at most `timeout` seconds, then SIGKILLs; returns the exit code and whether it was killed.
    public func wait(timeout: Double) -> (status: Int32, timedOut: Bool) {
        while !hasExited() {
            if Date().timeIntervalSince(started) > timeout { kill(SIGKILL); return (wait(), true) }
            usleep(10_000)
        }
        return (exitStatus!, false)
    }

    /// Non-blocking: true once the child has exited (and reaps it).
    public func hasExited() -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        exitStatus = Self.code(status)
        return true
    }

    public func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

    public var output: String { Self.read(outputPath) }
    public var errorOutput: String { errorPath.map(Self.read) ?? "" }

    static func code(_ status: Int32) -> Int32 { (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
    static func read(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
}

public struct SpawnResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion (SIGKILL after `timeout` seconds) and returns its exit code and output.
/// `environment` nil keeps this process's environment; otherwise it is the child's whole environment.
public func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                         timeout: Double = 120) -> SpawnResult {
    let dir = TempDir("spawn")
    let drop = environment.map { env in ProcessInfo.processInfo.environment.keys.filter { env[$0] == nil } } ?? []
    guard let child = try? ChildProcess([executable] + arguments, environment: environment ?? [:], unset: drop,
                                        outputPath: dir.file("out"), errorPath: dir.file("err"))
    else { return SpawnResult(status: -1, stdout: "", stderr: "posix_spawn \(executable) failed") }
    let (status, _) = child.wait(timeout: timeout)
    return SpawnResult(status: status, stdout: child.output, stderr: child.errorOutput)
}
