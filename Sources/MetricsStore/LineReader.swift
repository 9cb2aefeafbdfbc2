import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a text file line by line with getline(3), so a large log is never held in memory whole.
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    private(set) var lineNumber = 0
    /// Whether the line last returned ended in a newline (false only for a last line cut short).
    private(set) var lastLineHadNewline = true

    init(path: String) throws {
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw StoreError.badInput(file: path, line: 0, detail: "is a folder, not a file; pass a log.txt, steps.jsonl or csv file")
        }
        guard let f = fopen(path, "r") else {
            throw StoreError.badInput(file: path, line: 0, detail: "cannot read the file (\(String(cString: strerror(errno))))")
        }
        file = f
    }

    deinit { fclose(file); free(buffer) }

    /// Calls `body` with the next line's bytes (no newline; valid only during the call); nil at the end.
    func nextBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        let n = getline(&buffer, &capacity, file)
        guard n >= 0, let b = buffer else { return nil }
        lineNumber += 1
        lastLineHadNewline = n > 0 && b[n - 1] == 0x0A
        var len = n
        while len > 0 && (b[len - 1] == 0x0A || b[len - 1] == 0x0D) { len -= 1 }
        return try b.withMemoryRebound(to: UInt8.self, capacity: len) { try body(UnsafeBufferPointer(start: $0, count: len)) }
    }

    /// The next line without its newline, or nil at the end of the file.
    func next() -> String? {
        let n = getline(&buffer, &capacity, file)
        guard n >= 0, let b = buffer else { return nil }
        lineNumber += 1
        var len = n
        while len > 0 && (b[len - 1] == 0x0A || b[len - 1] == 0x0D) { len -= 1 }
        return b.withMemoryRebound(to: UInt8.self, capacity: len) { String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self) }
    }
}

/// Buffered output to a file or stdout.
final class LineWriter {
    private let file: UnsafeMutablePointer<FILE>
    private let owned: Bool

    init(path: String?) throws {
        if let p = path {
            guard let f = fopen(p, "w") else {
                throw StoreError.cannotOpen(path: p, detail: "cannot write (\(String(cString: strerror(errno))))")
            }
            file = f; owned = true
        } else {
            // fdopen on a dup of fd 1: the C `stdout` global is not concurrency-safe to touch from Swift 6.
            guard let f = fdopen(dup(1), "w") else { throw StoreError.cannotOpen(path: "stdout", detail: "cannot write") }
            file = f; owned = true
        }
    }

    func write(_ line: String) {
        var l = line
        l.append("\n")
        l.withCString { _ = fputs($0, file) }
    }

    func close() { if owned { fclose(file) } }
}
