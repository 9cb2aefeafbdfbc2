import Foundation
import RunCore

/// A one-line progress bar with ETA on a terminal, or a plain line every `every` steps otherwise.
struct ProgressPrinter {
    let total: Int
    let every: Int
    let tty = isatty(STDOUT_FILENO) != 0
    var start = Date()
    var firstStep: Int?
    var drawn = false

    init(total: Int, every: Int) {
        self.total = total
        self.every = max(1, every)
    }

    /// Draws the step; false when standard output could not be written (a closed pipe).
    @discardableResult
    mutating func update(_ r: StepReport, batch: Int) -> Bool {
        if firstStep == nil { firstStep = r.step; start = Date() }
        let done = r.step + 1
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done - firstStep!) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : .infinity
        let text = String(format: "step %d/%d  epoch %.2f  loss %.4f  lr %.2e  m %.5f  %.0f img/s  ETA %@",
                          done, total, r.epoch, r.loss, r.learningRate, r.emaMomentum, r.imagesPerSecond,
                          Self.clock(eta))
        if tty {
            let width = 24, filled = Int(Double(width) * Double(done) / Double(max(total, 1)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            drawn = true
            return Self.write("\r\u{1B}[2K\(bar) \(text)")
        } else if done % every == 0 || done == total || done == 1 {
            return Self.write(text + "\n")
        }
        return true
    }

    mutating func finishLine() {
        if tty && drawn { _ = Self.write("\n"); drawn = false }
    }

    /// Writes and flushes standard output; false on failure (EPIPE once SIGPIPE is ignored).
    static func write(_ s: String) -> Bool {
        fflush(nil)   // whatever print() buffered goes first
        var bytes = Array(s.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return false }
            bytes = bytes.dropFirst(n)
        }
        return true
    }

    static func clock(_ s: Double) -> String {
        guard s.isFinite else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
