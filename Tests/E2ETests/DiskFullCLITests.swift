import Foundation
import Testing

/// A tmpfs can be mounted here (root with CAP_SYS_ADMIN); probed once.
let e2eCanMountTmpfs: Bool = {
    guard getuid() == 0 else { return false }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siamon-e2e-probe-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard mount("tmpfs", dir.path, "tmpfs", 0, "size=1m") == 0 else { return false }
    umount2(dir.path, Int32(MNT_DETACH))
    return true
}()

/// `siamon train --headless` with its runs folder (database, checkpoints, steps.jsonl) on a nearly full tmpfs:
/// the first checkpoint finds the disk full, training pauses with one line instead of dying, and once space is
/// freed it resumes by itself, finishes, and every step's metrics are in the database and in steps.jsonl.
@Suite("Full disk through the siamon CLI", .serialized)
struct DiskFullCLITests {
    @Test(.enabled(if: e2eCanMountTmpfs, "needs root and mount(2) to put the runs folder on a small tmpfs"))
    func headlessTrainingWaitsForSpaceAndLosesNoMetric() throws {
        let mnt = FileManager.default.temporaryDirectory.appendingPathComponent("siamon-e2e-diskfull-\(getpid())")
        try FileManager.default.createDirectory(at: mnt, withIntermediateDirectories: true)
        #expect(mount("tmpfs", mnt.path, "tmpfs", 0, "size=8m") == 0)
        defer { umount2(mnt.path, Int32(MNT_DETACH)); try? FileManager.default.removeItem(at: mnt) }
        // Leave about 640 KB: room for the database and its WAL, not for a 1 MB checkpoint.
        let filler = mnt.appendingPathComponent("filler")
        try Data(count: (8 << 20) - (640 << 10)).write(to: filler)
        let runs = mnt.appendingPathComponent("runs")
        let child = try CLIRunner.start(["train", "--headless", "--preset", "smoke", "--set", "data.source=synthetic",
                                         "--set", "model.dim=32", "--set", "train.steps=6", "--set", "train.checkpoint_every=3",
                                         "--name", "d1", "--runs", runs.path])
        let deadline = Date().addingTimeInterval(120)
        while !child.stdoutSoFar.contains("disk full") && Date() < deadline && kill(child.pid, 0) == 0 { usleep(50_000) }
        #expect(child.stdoutSoFar.contains("training paused, retrying every 5 s"))
        usleep(1_000_000)
        #expect(kill(child.pid, 0) == 0, "still alive while the disk is full")
        try FileManager.default.removeItem(at: filler)
        let r = CLIRunner.wait(child, timeout: 120)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("disk space is back: checkpoint-3 saved, training resumes"))
        #expect(r.stdout.contains("done: d1 6 steps"))
        let lines = try String(contentsOf: runs.appendingPathComponent("d1/steps.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
        let export = try CLIRunner.run(["export", "d1", "--format", "jsonl", "--runs", runs.path])
        #expect(export.status == 0)
        #expect(export.stdout.split(separator: "\n").count == 6, "rows in the database: \(export.stdout)")
        #expect(FileManager.default.fileExists(atPath: runs.appendingPathComponent("d1/checkpoint-6.safetensors").path))
    }
}
