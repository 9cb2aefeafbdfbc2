import Foundation
import MetricsStore
import RunCore
import SiamTrain
import Tensor

/// Runs started by this process: it starts them from a preset plus overrides (here or in the background),
/// forks them, queues them (sweeps), probes them, shares the cores among them and ends them. The TUI is this
/// engine plus a screen; a headless sweep is this engine plus the console. Every method returns at once, except
/// `shutdown`, which checkpoints and stops live runs on purpose. Driven from one thread (`poll` regularly).
public final class RunEngine {
    public let runsDirectory: URL
    public let databasePath: String
    public let notices = Notices()
    let worker: StoreWorker
    var hosts: [String: LiveRun] = [:]
    var writersFinished: Set<String> = []
    /// Hosts built on the worker thread, adopted on the driving thread by `poll`.
    let adopted = AdoptionQueue()
    // The queue: waiting, handed to `start` but not adopted yet, started from the queue and not yet reported
    // as ended (RunEngine+Queue.swift).
    var queued: [QueuedRun] = []
    var queuePolicy = QueuePolicy()
    var pendingStarts: Set<String> = []
    var watched: Set<String> = []
    let probes = ProbeTracker()
    /// Failed runs whose writer is being finished on a helper thread (RunEngine+Failed).
    let retiring = DispatchGroup()

    struct LiveRun {
        let host: TrainerHost
        let writer: StoreWriter
        let steps: StepsFileSink   // runs/<name>/steps.jsonl; flushed and closed when the run ends
        let threads: Int           // the run's train.threads
    }

    public init(runsDirectory: URL, databasePath: String) {
        self.runsDirectory = runsDirectory
        self.databasePath = databasePath
        worker = StoreWorker(databasePath: databasePath, notices: notices)
    }

    /// The status of every run trained here, by name.
    public var liveStatus: [String: HostStatus] {
        Dictionary(hosts.map { ($0.key, $0.value.host.status) }, uniquingKeysWith: { a, _ in a })
    }

    /// Adopts new hosts, retires failed ones, closes the files of ended ones, and moves the queue on.
    public func poll() {
        for a in adopted.take() { adopt(a) }
        retireFailed()
        for (name, run) in hosts where !run.host.status.isLive && !writersFinished.contains(name) {
            // Flush and close the run's files as soon as it ends, so its end time is when training ended; the
            // writer's finish waits on its thread, so it runs on a helper, and its errors become notices.
            writersFinished.insert(name)
            rebalanceThreads()   // the cores go back to the runs still live
            run.steps.close()
            let writer = run.writer, phase = run.host.status.phase, notices = self.notices
            if phase == .done || phase == .stopped {
                let t = Thread {
                    do { try writer.finish(status: phase) } catch { notices.post("\(name): the last metrics did not reach the store: \(error)") }
                }
                t.name = "siamon-writer-finish"
                t.start()
            }
        }
        pumpQueue()
    }

    /// A command for a run trained here, through its mailbox (quit, tests); other runs take commands
    /// through the store's command channel.
    public func send(_ command: RunCommand, to run: String) -> Bool {
        guard let live = hosts[run], live.host.status.isLive else { return false }
        live.host.send(command)
        return true
    }

    /// Checkpoints and stops every live run (each host saves before it ends), closes their writers, and lets
    /// running probes finish (at most `probeTimeout` seconds; at once with `cancelProbes`, e.g. after Ctrl-C),
    /// recording unfinished ones as interrupted. Returns what the user must hear about (lost metrics, probes).
    @discardableResult
    public func shutdown(stopRunning: Bool, probeTimeout: Double = 120, cancelProbes: Bool = false) -> [String] {
        queued.removeAll()
        var problems: [String] = []
        if stopRunning {
            retireFailed()
            for run in hosts.values where run.host.status.isLive { run.host.requestStop(reason: "quit") }
            for (name, run) in hosts {
                run.host.join()
                run.steps.close()
                let phase = run.host.status.phase
                do { try run.writer.finish(status: phase.isLive ? .stopped : phase) } catch {
                    problems.append("\(name): the last metrics did not reach the store: \(error)")
                }
            }
            hosts.removeAll()
            _ = retiring.wait(timeout: .now() + 5)
        }
        problems += finishProbes(timeout: probeTimeout, cancel: cancelProbes)
        worker.stop()
        return problems + notices.drain().filter { $0.contains("did not reach the store") }
    }
}
