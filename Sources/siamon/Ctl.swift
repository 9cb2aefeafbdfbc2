import ArgumentParser
import Foundation
import MetricsStore
import RunCore

/// `siamon ctl RUN VERB`: steers a live run through the store's command channel, whichever process owns it
/// (this machine's TUI, a headless siamon, a PyTorch job logging through the shim). Exit 0 once applied, 1
/// with the reason when refused or expired, 2 on bad usage.
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Steer a live run, whoever owns it: pause, resume, stop, checkpoint, probe, lr-scale F.",
        discussion: "Waits for the owner's answer: exit 0 applied, 1 refused or expired (with the reason), 2 bad usage.")

    @OptionGroup var location: StoreLocationOptions
    @Argument(help: "The run's name (see `siamon runs`).") var runName: String
    @Argument(help: "pause | resume | stop | checkpoint | probe | lr-scale") var verb: String
    @Argument(help: "The factor for lr-scale (multiplies the current scale, > 0).") var factor: String?
    @Flag(name: .customLong("no-wait"), help: "Return once the command is sent (prints its id).") var noWait = false
    @Option(help: "Seconds to wait for the answer before giving up (the command stays pending).") var timeout = 120.0

    func run() throws {
        let command: RunCommand
        do { command = try parse() } catch { usage("\(error)") }
        guard let db = try location.openForReading() else { usage("no runs in \(location.directory)/; start one with `siamon train`") }
        db.close()
        let store = try location.openForWriting()
        defer { store.close() }
        guard (try? store.runId(named: runName)) != nil else { usage("no run named \(runName) in \(location.directory)/; `siamon runs` lists them") }
        let t0 = Date()
        let id: Int64
        do { id = try store.issue(command, run: runName) } catch let e as CommandIssueError { refuse("\(e)") }
        if noWait { print("sent \(label(command)) to \(runName) (command \(id))"); return }
        let answer = try wait(store, id: id)
        let ms = Date().timeIntervalSince(t0) * 1000
        let result = answer.result ?? "no reason given"
        guard answer.state == .applied else { refuse("\(label(command)) \(runName): \(answer.state.rawValue): \(result)") }
        print(String(format: "%@ %@: applied in %.0f ms: %@", label(command), runName, ms, result))
    }

    private func parse() throws -> RunCommand {
        let v = verb.lowercased()
        if v == "lr-scale" || v == "lr_scale" {
            guard let text = factor, let f = Double(text), f.isFinite, f > 0 else {
                throw CLIError("lr-scale needs a factor > 0, e.g. `siamon ctl \(runName) lr-scale 1.25`")
            }
            return .scaleLearningRate(f)
        }
        if factor != nil { throw CLIError("\(verb) takes no argument; only lr-scale takes a factor") }
        guard let c = RunCommand(kind: v, argument: nil) else {
            throw CLIError("unknown command \(verb); use pause, resume, stop, checkpoint, probe or lr-scale F")
        }
        return c
    }

    /// Polls the row until it is final. A dead or stalled owner makes it expire (with the last heartbeat).
    private func wait(_ store: MetricsDatabase, id: Int64) throws -> CommandRecord {
        let deadline = Date().addingTimeInterval(timeout)
        var lastOwnerCheck = Date()
        while true {
            if let r = try store.command(id: id), r.state.isFinal { return r }
            if Date().timeIntervalSince(lastOwnerCheck) > 1 {
                lastOwnerCheck = Date()
                try store.expireOrphanedCommands()
            }
            if Date() >= deadline {
                refuse("\(label(nil)) \(runName): no answer after \(Int(timeout)) s; the command (id \(id)) is still pending")
            }
            usleep(10_000)
        }
    }

    private func label(_ c: RunCommand?) -> String {
        guard let c else { return verb }
        if case .scaleLearningRate(let f) = c { return String(format: "lr-scale ×%g", f) }
        return c.kind.rawValue
    }

    private func usage(_ s: String) -> Never {
        FileHandle.standardError.write(Data("siamon ctl: \(s)\n".utf8))
        Foundation.exit(ExitStatus.usage)
    }

    private func refuse(_ s: String) -> Never {
        FileHandle.standardError.write(Data("siamon ctl: \(s)\n".utf8))
        Foundation.exit(ExitStatus.failed)
    }
}
