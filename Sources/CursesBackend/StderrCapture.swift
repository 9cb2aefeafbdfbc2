import Foundation
import Glibc

/// While curses owns the terminal, anything written to stderr lands in the middle of the screen: a trapped
/// trainer's `fatalError` message (the thread is contained, the UI lives on) shifted a tmux screen up one row
/// until Ctrl-L. So fd 2 goes to a file for the life of the UI, and what it caught is replayed on the restored
/// terminal at exit. If the process dies instead, the file keeps the message.
final class StderrCapture {
    let path: String
    private let saved: Int32

    /// nil when stderr is not a terminal (then nothing can corrupt the screen) or the file cannot be opened.
    init?(path: String) {
        guard isatty(STDERR_FILENO) != 0 else { return nil }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        let dupped = dup(STDERR_FILENO)
        guard dupped >= 0, dup2(fd, STDERR_FILENO) >= 0 else {
            Glibc.close(fd); if dupped >= 0 { Glibc.close(dupped) }
            return nil
        }
        Glibc.close(fd)
        saved = dupped
        self.path = path
    }

    /// Puts the terminal back on fd 2, replays what was caught (at most 64 KiB) and removes the file if it
    /// was empty or fully replayed.
    func restore() {
        fflush(nil)   // every C stdio stream (Swift 6 rejects the `stderr` global): nothing buffered goes astray
        dup2(saved, STDERR_FILENO)
        Glibc.close(saved)
        guard let data = FileManager.default.contents(atPath: path) else { return }
        if data.isEmpty { try? FileManager.default.removeItem(atPath: path); return }
        let limit = 64 * 1024
        FileHandle.standardError.write(data.prefix(limit))
        if data.count > limit {
            FileHandle.standardError.write(Data("siamon: \(data.count - limit) more bytes of diagnostics are in \(path)\n".utf8))
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
