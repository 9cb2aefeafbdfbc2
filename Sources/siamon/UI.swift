import ArgumentParser
import CursesBackend
import Foundation
import TUI

struct UI: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ui", abstract: "Open the TUI on the runs folder (the default).")

    @Option(help: "A theme file (btop format, see themes/).") var theme: String?

    func run() throws {
        // Until the store and trainer host are wired, the UI runs on synthetic demo data.
        let t = try theme.map { path throws(ThemeError) in try Theme.load(path: path) } ?? .default
        let code = runApp(initial: demoState(width: 120, height: 40), driver: DemoDriver(), theme: t)
        if code != 0 { throw ExitCode(code) }
    }
}

/// A placeholder driver that animates the demo runs, so the terminal path can be tried end to end.
/// It obeys the AppDriver contract: everything it does is in-memory and immediate.
final class DemoDriver: AppDriver {
    private var last = 0.0
    private var steps: [String: Int] = ["r1": 1200, "r4": 20000]
    private var paused: Set<String> = []
    private var stopped: Set<String> = []
    private var loss: [String: [SeriesPoint]] = [:]
    private var columns: [String: Int] = [:]
    private var outbox: [AppEvent] = []
    private var base: [RunRow]

    init() {
        let demo = demoState(width: 120, height: 40)
        base = demo.runs
        for id in steps.keys { if case .points(let p)? = demo.data[id]?.series["loss"]?.data { loss[id] = p } }
    }

    func poll(now: Double) -> [AppEvent] {
        defer { outbox.removeAll() }
        guard now - last >= 0.25 else { return outbox }
        last = now
        var rows = base
        for i in rows.indices {
            let id = rows[i].id
            if stopped.contains(id) { rows[i].status = .stopped; continue }
            if paused.contains(id) { rows[i].status = .paused; continue }
            guard let step = steps[id] else { continue }
            let next = step + 10
            steps[id] = next
            rows[i].step = next
            let y = 0.35 + 1.6 * exp(-Double(next) / 400) + Double.random(in: -0.04...0.04)
            loss[id, default: []].append(SeriesPoint(x: Double(next), y: y))
            rows[i].lastLoss = y
            rows[i].sparkline = Array((rows[i].sparkline + [y]).suffix(24))
            rows[i].status = .running
        }
        base = rows
        var out = outbox + [.runs(rows)]
        for (id, pts) in loss {
            let reduced = Series(key: "loss", data: .buckets(SeriesReducer.buckets(pts, columns: columns[id] ?? 100)))
            out.append(.series(runId: id, key: "loss", reduced))
        }
        return out
    }

    func perform(_ effect: Effect) {
        switch effect {
        case .pause(let id): paused.insert(id); outbox.append(.message("paused"))
        case .resume(let id): paused.remove(id)
        case .stop(let id): stopped.insert(id)
        case .scaleLR(_, let f): outbox.append(.message("demo: LR ×\(f)"))
        case .requestSeries(let id, "loss", let cols, _): columns[id] = cols
        case .startRun(_, let name, _): outbox.append(.message("demo: would start \(name)"))
        default: break
        }
    }
}
