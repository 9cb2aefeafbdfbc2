import ArgumentParser
import CursesBackend
import Foundation
import MetricsStore
import Tensor
import Runs
import TUI

/// The live driver speaks CursesBackend's driver protocol (it lives in TUI, which cannot see CursesBackend).
extension LiveDriver: AppDriver {}

struct UI: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ui", abstract: "Open the TUI on the runs folder (the default).")

    @OptionGroup var location: StoreLocationOptions
    @Option(help: "A theme file (btop format, see themes/).") var theme: String?

    func run() throws {
        BlasSetup.reexecIfNeeded()
        try TerminalApp.open(location: location, theme: theme, readOnly: false)
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Watch runs that another process writes (headless train, PyTorch shim, import).")

    @OptionGroup var location: StoreLocationOptions
    @Option(help: "A theme file (btop format, see themes/).") var theme: String?
    @Argument(help: "The run to select first.") var runName: String?

    func run() throws {
        let first = runName
        try TerminalApp.open(location: location, theme: theme, readOnly: true) { state in
            if let first { state.selectedRunId = first }
        }
    }
}

/// Opens the TUI with the live driver; `configure` adjusts the first state (selection, compare view).
enum TerminalApp {
    static func open(location: StoreLocationOptions, theme: String?, readOnly: Bool,
                     startRun: (preset: String, name: String, overrides: [String: String])? = nil,
                     queue: (runs: [QueuedRun], policy: QueuePolicy)? = nil,
                     configure: (inout AppState) -> Void = { _ in }) throws {
        if let warning = BlasSetup.selfCheck() { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let t = try theme.map { path throws(ThemeError) in try Theme.load(path: path) } ?? .default
        let db = try location.openForWriting()   // creates runs/ and the schema on first use
        let path = db.path
        db.close()
        let driver = LiveDriver(runsDirectory: URL(fileURLWithPath: location.directory), databasePath: path, readOnly: readOnly)
        if let s = startRun { driver.perform(.startRun(preset: s.preset, name: s.name, overrides: s.overrides)) }
        if let q = queue { driver.enqueue(q.runs, policy: q.policy) }
        var state = AppState(width: 120, height: 40)
        configure(&state)
        let log = URL(fileURLWithPath: location.directory).appendingPathComponent("siamon-ui-stderr.log").path
        let code = runApp(initial: state, driver: driver, theme: t, stderrLog: log)
        // Said after the screen is gone: metrics that did not reach the store, a probe cut short.
        for p in driver.quitProblems { FileHandle.standardError.write(Data("siamon: \(p)\n".utf8)) }
        if code != 0 { throw ExitCode(code) }
    }
}
