import Foundation
import RunCore

/// Appends each StepReport as one JSON line to runs/<name>/steps.jsonl (the format of `StepsJSONL`).
/// Buffered, and flushed every second and on `close`, so the training thread never waits on the disk.
public final class StepsFileSink: ReportSink, @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()
    private var lastFlush = Date()
    private let lock = NSLock()
    public let path: String

    /// Opens (or creates) the file for appending. With `keepingStepsBelow`, lines of steps at or past it
    /// (an abandoned attempt before a resume) are removed first, so the file holds one trajectory.
    public init(path: String, keepingStepsBelow limit: Int? = nil) throws {
        self.path = path
        if let limit { try Self.truncate(path: path, keepingStepsBelow: limit) }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw StoreError.cannotOpen(path: path, detail: "cannot create steps.jsonl; check that the run folder is writable")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw StoreError.cannotOpen(path: path, detail: "cannot open steps.jsonl for appending; check its permissions")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    public func record(_ report: StepReport) {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        buffer.append(Data((StepsJSONL.line(report) + "\n").utf8))
        if Date().timeIntervalSince(lastFlush) > 1 { flushLocked() }
    }

    private var closed = false

    /// Flushes and closes; safe to call twice. Also runs when the last owner lets go (the TUI's trainer
    /// sessions end without an explicit close, and their last second of lines must still reach the file).
    public func close() {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        flushLocked()
        try? handle.close()
    }

    deinit { close() }

    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
        lastFlush = Date()
    }
}

extension StepsFileSink {
    /// Rewrites the file without the lines of steps ≥ `limit` (and without a torn last line); the new file
    /// replaces the old one by rename, so a crash leaves one or the other.
    static func truncate(path: String, keepingStepsBelow limit: Int) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let kept = lines.filter { line in (try? StepsJSONL.parse(String(line))).map { $0.step < limit } ?? false }
        guard kept.count != lines.count else { return }
        let tmp = path + ".resume-tmp"
        let text = kept.map { $0 + "\n" }.joined()
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
            throw StoreError.cannotOpen(path: tmp, detail: "cannot rewrite steps.jsonl for the resume; check that the run folder is writable")
        }
        guard rename(tmp, path) == 0 else {
            throw StoreError.cannotOpen(path: path, detail: "cannot replace steps.jsonl (errno \(errno)); check the run folder's permissions")
        }
    }
}
