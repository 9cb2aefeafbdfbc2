import Foundation

/// Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it over the
/// target, fsync the directory. A SIGKILL or power loss at any point leaves either the old file or the new
/// one, never a mix. Temporary names start with "." and contain ".tmp." so readers can skip them.
public enum AtomicFile {
    /// True for names this type uses for its temporary files.
    public static func isTemporary(_ fileName: String) -> Bool {
        fileName.hasPrefix(".") && fileName.contains(".tmp.")
    }

    /// Writes `chunks` (in order) to `path` atomically. `fill` is called with a writer that appends bytes.
    public static func write(path: String, _ fill: (inout ChunkWriter) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(dir)", errno) }
        var writer = ChunkWriter(fd: fd, path: path)
        do {
            try fill(&writer)
            guard fsync(fd) == 0 else { throw failure(path, "fsync", errno) }
        } catch {
            close(fd); unlink(tmp)
            throw error
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw failure(path, "rename", e)
        }
        syncDirectory(dir)
    }

    /// Writes a small text file atomically (e.g. the `latest` pointer).
    public static func write(path: String, text: String) throws {
        try write(path: path) { (w: inout ChunkWriter) throws in try w.append(Array(text.utf8)) }
    }

    static func syncDirectory(_ dir: String) {
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func failure(_ path: String, _ what: String, _ code: Int32) -> SafetensorsError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path) }
        return .writeFailed(path: path, detail: "\(what): \(String(cString: strerror(code)))")
    }

    /// Appends bytes to an open file descriptor, retrying short writes and EINTR.
    public struct ChunkWriter {
        let fd: Int32
        let path: String
        public private(set) var written = 0

        public mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
            var done = 0
            while done < bytes.count {
                let r = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if r < 0 && errno == EINTR { continue }
                guard r > 0 else { throw AtomicFile.failure(path, "write", r == 0 ? EIO : errno) }
                done += r
            }
            written += done
        }

        public mutating func append(_ bytes: [UInt8]) throws {
            guard !bytes.isEmpty else { return }
            try bytes.withUnsafeBytes { (raw) throws in try append(raw) }
        }
    }
}
