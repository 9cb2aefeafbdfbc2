import Foundation
import SiamTrain

/// Appends each StepReport as one JSON line to runs/<name>/steps.jsonl (the format of `StepsJSONL`).
/// Buffered, and flushed every second and on `close`, so the training thread never waits on the disk.
public final class StepsFileSink: ReportSink, @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()
    private var lastFlush = Date()
    private let lock = NSLock()
    public let path: String

    public init(path: String) throws {
        self.path = path
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
