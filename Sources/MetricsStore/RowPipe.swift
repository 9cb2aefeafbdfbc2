import Foundation

/// The bounded hand-off between the import's parsing thread and its inserting thread.
final class RowPipe: @unchecked Sendable {
    struct Point: Sendable {
        var key: String
        var step: Int
        var value: Double
        var wall: Double?
    }
    typealias Parsed = (rows: Int, scalars: Int, warnings: [String])

    static let chunkSize = 8192
    static let capacity = 4

    private let cond = NSCondition()
    // Guarded by `cond`:
    private var chunks: [[Point]] = []
    private var result: Result<Parsed, any Error>?
    private var cancelled = false

    /// Parser side: blocks while the queue is full. false = the consumer cancelled; stop parsing.
    func push(_ chunk: [Point]) -> Bool {
        cond.lock(); defer { cond.unlock() }
        while chunks.count >= Self.capacity && !cancelled { cond.wait() }
        if cancelled { return false }
        chunks.append(chunk)
        cond.broadcast()
        return true
    }

    /// Parser side, last call: the counts, or the error that stopped parsing.
    func finish(_ r: Result<Parsed, any Error>) {
        cond.lock(); result = r; cond.broadcast(); cond.unlock()
    }

    /// Consumer side: the next chunk, or nil once the parser has finished and the queue is empty.
    func pop() -> [Point]? {
        cond.lock(); defer { cond.unlock() }
        while chunks.isEmpty && result == nil { cond.wait() }
        guard !chunks.isEmpty else { return nil }
        cond.broadcast()
        return chunks.removeFirst()
    }

    /// Consumer side, after pop() returned nil: the parser's outcome.
    func outcome() throws -> Parsed {
        cond.lock(); defer { cond.unlock() }
        return try result!.get()
    }

    /// Stops the parser (if still running) and waits until it has returned, so no thread outlives the import.
    func cancelAndWait() {
        cond.lock(); defer { cond.unlock() }
        cancelled = true
        chunks.removeAll()
        cond.broadcast()
        while result == nil { cond.wait() }
    }
}
