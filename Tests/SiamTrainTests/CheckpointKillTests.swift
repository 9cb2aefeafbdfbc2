import Foundation
import Testing
@testable import SiamTrain
import Tensor

/// A real SIGKILL in the middle of checkpoint writes. The test binary re-runs itself, filtered to this test,
/// with SIAMON_CHECKPOINT_WRITER_DIR set: that child saves checkpoints in a loop until it is killed. The parent
/// kills it at random moments and checks that `latest` always names a complete, self-consistent checkpoint.
@Suite("Checkpoint: SIGKILL")
struct CheckpointKillTests {
    static let envKey = "SIAMON_CHECKPOINT_WRITER_DIR"
    static let floats = 1 << 19   // 2 MB per tensor, so a kill often lands inside a write

    @Test func sigkillDuringWritesLeavesTheLatestCheckpointValid() throws {
        if let dir = ProcessInfo.processInfo.environment[Self.envKey] { Self.writeForever(URL(fileURLWithPath: dir)) }
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var rng = SeededRNG(seed: 11)
        for trial in 0..<4 {
            let dir = try makeRunDir("kill\(trial)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let pid = try Self.spawn(exe, dir: dir)
            // Wait for the first complete checkpoint, then let it run a little longer before the kill.
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("latest").path), Date() < deadline {
                usleep(20_000)
            }
            usleep(UInt32(rng.next() % 400_000))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let loaded = try #require(Checkpoint.latest(in: dir), "trial \(trial): no checkpoint survived; files: \(files(dir))")
            #expect(loaded.note == nil, "trial \(trial): \(loaded.note ?? "")")
            let w = try loaded.weights.tensor("blocks.0.mlp.fc1.weight").values
            let m = try loaded.optimizer.tensor("m.blocks.0.mlp.fc1.weight").values
            #expect(w.count == Self.floats && w.allSatisfy { $0 == Float(loaded.step) }, "trial \(trial): torn weights")
            #expect(m.allSatisfy { $0 == -Float(loaded.step) }, "trial \(trial): torn moments")
            // keep = 3, plus at most one incomplete newer step when the kill fell between the two files.
            #expect(Checkpoint.steps(in: dir).count <= 4, "trial \(trial): pruning kept \(Checkpoint.steps(in: dir))")
            // Resuming: the next save overwrites any incomplete step and sweeps the temporary files.
            try ToyState(seed: 1).save(dir, step: loaded.step + 1)
            #expect(Checkpoint.steps(in: dir).count <= 3 && !files(dir).contains { $0.hasPrefix(".") }, "trial \(trial): \(files(dir))")
            #expect(Checkpoint.latest(in: dir)?.step == loaded.step + 1)
        }
    }

    /// posix_spawn of this test binary, filtered to this test, output discarded.
    static func spawn(_ exe: String, dir: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let args = [exe, "--testing-library", "swift-testing", "--filter", "sigkillDuringWritesLeavesTheLatestCheckpointValid"]
        var env = ProcessInfo.processInfo.environment
        env[envKey] = dir.path
        let cArgs = args.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, cArgs, cEnv)
        guard rc == 0 else { throw CheckpointError.invalidArgument(dir: dir.path, detail: "posix_spawn failed: \(rc)") }
        return pid
    }

    /// The child: checkpoint after checkpoint, each tensor filled with ±step, until killed (or 60 s pass,
    /// or the parent is gone).
    static func writeForever(_ dir: URL) -> Never {
        let w = FloatBuffer(count: floats), m = FloatBuffer(count: floats)
        let parent = getppid(), start = Date()
        var step = 1
        while Date().timeIntervalSince(start) < 60 && getppid() == parent {
            w.pointer.update(repeating: Float(step), count: floats)
            m.pointer.update(repeating: -Float(step), count: floats)
            _ = try? Checkpoint.save(dir: dir, step: step,
                                     weights: [NamedTensor("blocks.0.mlp.fc1.weight", TensorView(pointer: w.pointer, shape: [floats]))],
                                     optimizer: [NamedTensor("m.blocks.0.mlp.fc1.weight", TensorView(pointer: m.pointer, shape: [floats]))],
                                     keep: 3)
            step += 1
        }
        exit(0)
    }
}
