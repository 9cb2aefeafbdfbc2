import Foundation
import SiamTrain

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

    mutating func update(_ r: StepReport, batch: Int) {
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
            print("\r\u{1B}[2K\(bar) \(text)", terminator: "")
            fflush(nil)
            drawn = true
        } else if done % every == 0 || done == total || done == 1 {
            print(text)
            fflush(nil)
        }
    }

    mutating func finishLine() {
        if tty && drawn { print(""); drawn = false }
    }

    static func clock(_ s: Double) -> String {
        guard s.isFinite else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
