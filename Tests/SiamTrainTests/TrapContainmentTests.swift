import Foundation
import Synchronization
import RunCore
import Testing
@testable import SiamTrain

/// A trainer thread that traps (docs/architecture.md §5), in this process. Every trap here runs on a contained thread, so it
/// parks that thread and the test process goes on. (The other path, a trap on any other thread, ends the
/// process; TrapProbeTests run it in a child.)
@Suite("Trap containment", .serialized)
struct TrapContainmentTests {
    #if arch(x86_64)
    static let trapSignal = SIGILL     // ud2
    #else
    static let trapSignal = SIGTRAP    // brk
    #endif

    /// A sink that keeps statuses too (RecordingSink does not expose them).
    final class Sink: ReportSink, @unchecked Sendable {
        private let lock = Mutex<(steps: [Int], events: [(Int, String, String)], statuses: [String])>(([], [], []))
        func record(_ report: StepReport) { lock.withLock { $0.steps.append(report.step) } }
        func event(step: Int, _ e: RunEvent) { lock.withLock { $0.events.append((step, e.kind.rawValue, e.detailJSON)) } }
        func statusChanged(_ status: RunStatus) { lock.withLock { $0.statuses.append(status.rawValue) } }
        func checkpoint(step: Int, path: String, bytes: Int) {}
        func probe(step: Int, linear: Double?, knn: Double?, protocolName: String) {}
        var steps: [Int] { lock.withLock { $0.steps } }
        var events: [(step: Int, kind: String, detail: String)] { lock.withLock { $0.events.map { ($0.0, $0.1, $0.2) } } }
        var statuses: [String] { lock.withLock { $0.statuses } }
    }

    @Test(arguments: [FaultTrap.Kind.fatal, .index, .overflow])
    func aTrapOnAContainedThreadParksThatThreadAndIsReportedOnce(kind: FaultTrap.Kind) {
        let reports = Mutex<[TrapInfo]>([])
        let cell = TrapCell { info in reports.withLock { $0.append(info) } }
        let cameBack = Atomic<Bool>(false)
        let t = Thread {
            cell.contain { FaultTrap(step: 7, kind: kind).fire(run: "unit") }
            cameBack.store(true, ordering: .relaxed)
        }
        t.start()
        #expect(TrainerHostFaultTests.waitFor(10) { !reports.withLock { $0 }.isEmpty }, "no report of the \(kind) trap")
        #expect(TrapContainment.active)
        #expect(cell.trap?.signal == Self.trapSignal, "\(String(describing: cell.trap))")
        #expect(cell.trap?.code ?? 0 > 0, "a kernel-raised fault has si_code > 0")
        usleep(200_000)
        #expect(reports.withLock { $0 } == [cell.trap!], "reported once, with what the cell holds")
        let back = cameBack.load(ordering: .relaxed)
        #expect(!back, "the trapped thread came back from the trap")
    }

    /// How the data loader's worker joins its trainer's cell (BatchLoader captures `current` on the trainer thread).
    @Test func aThreadStartedInsideACellCanJoinIt() {
        let cell = TrapCell()
        let seen = Mutex<[Bool]>([])
        #expect(TrapCell.current == nil)
        let t = Thread {
            cell.contain {
                let inherited = TrapCell.current
                seen.withLock { $0.append(inherited === cell) }
                let child = Thread { TrapCell.contain(inherited) { seen.withLock { $0.append(TrapCell.current === cell) } } }
                child.start()
            }
            seen.withLock { $0.append(TrapCell.current == nil) }
        }
        t.start()
        #expect(TrainerHostFaultTests.waitFor(10) { seen.withLock { $0.count } == 3 })
        #expect(seen.withLock { $0 }.allSatisfy { $0 }, "\(seen.withLock { $0 })")
    }

    @Test func theEnvironmentHookNamesOneRunAndStep() {
        #expect(FaultTrap.parse("victim:12", run: "victim") == FaultTrap(step: 12))
        #expect(FaultTrap.parse("victim:3:index", run: "victim") == FaultTrap(step: 3, kind: .index))
        #expect(FaultTrap.parse("victim:3", run: "victim-2") == nil)
        #expect(FaultTrap.parse("victim:-1", run: "victim") == nil)
        #expect(FaultTrap.parse("victim", run: "victim") == nil)
        #expect(FaultTrap.parse("", run: "") == nil)
        #expect(FaultTrap.parse(nil, run: "victim") == nil)
    }

    /// Two hosts in one process: the one that traps at step 3 fails (status, `trap` event, `failed` status,
    /// join returns), keeps checkpoint-2 as its newest, and writes nothing more; the other finishes normally.
    @Test func aTrainerThatTrapsFailsAloneAndKeepsItsLastGoodCheckpoint() throws {
        let c = try TrainerHostFaultTests.config(steps: 8, checkpointEvery: 2)
        let victimDir = try makeRunDir("trap-victim"), steadyDir = try makeRunDir("trap-steady")
        defer { try? FileManager.default.removeItem(at: victimDir); try? FileManager.default.removeItem(at: steadyDir) }
        let vs = Sink(), ss = Sink()
        let victim = TrainerHost(name: "victim", faultTrap: FaultTrap(step: 3, kind: .index)) {
            try TrainingSession(name: "victim", config: c, runDirectory: victimDir, sinks: [vs], resume: false)
        }
        let steady = TrainerHost(name: "steady") {
            try TrainingSession(name: "steady", config: c, runDirectory: steadyDir, sinks: [ss], resume: false)
        }
        victim.start(); steady.start()
        #expect(TrainerHostFaultTests.waitFor(120) { victim.status.phase == .failed }, "victim: \(victim.status)")
        let t0 = Date()
        victim.join()
        #expect(Date().timeIntervalSince(t0) < 6, "join waited \(Date().timeIntervalSince(t0)) s on a trapped host")
        #expect(victim.trap?.signal == Self.trapSignal)
        #expect(victim.status.error?.contains("trapped at step 3") == true, "\(victim.status.error ?? "no error")")
        #expect(!victim.status.isLive)
        #expect(vs.steps == [0, 1, 2], "steps \(vs.steps)")
        let trap = vs.events.first { $0.kind == "trap" }
        #expect(trap?.step == 3 && trap?.detail.contains(TrapInfo(signal: Self.trapSignal, code: 0, address: 0).signalName) == true,
                "events \(vs.events.map(\.kind))")
        #expect(vs.statuses.last == "failed", "statuses \(vs.statuses)")

        // A command to the dead host neither blocks nor writes: checkpoint-2 stays the newest.
        victim.send(.checkpoint); victim.send(.stop)
        usleep(300_000)
        #expect(Checkpoint.steps(in: victimDir) == [2])
        #expect(Checkpoint.latest(in: victimDir)?.step == 2)

        steady.join()
        #expect(steady.status.phase == .done, "steady: \(steady.status)")
        #expect(ss.steps == Array(0..<8))
        #expect(!ss.events.contains { $0.kind == "trap" })
    }
}
