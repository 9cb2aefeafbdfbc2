// TrapProbe: the trap-containment paths that must end a process, run in a child by TrapProbeTests (a test
// process cannot try them on itself). Every mode first parks one contained thread with a real trap, so the
// handlers are installed and in use; then:
//   contained  a second contained trap; prints both reports and "alive", exits 0
//   main       a trap on the main thread            → the process dies of the trap signal
//   thread     a trap on an uncontained thread      → dies of the trap signal
//   sent       SIGILL sent with pthread_kill to a contained thread → dies of SIGILL (kill(2) signals are not traps)
import Foundation
import SiamTrain
import Synchronization

/// Unbuffered, so what was said before a crash reaches the test.
func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
let mode = CommandLine.arguments.dropFirst().first ?? ""
let reports = Atomic<Int>(0)

@discardableResult
func parkOne(_ kind: FaultTrap.Kind) -> TrapCell {
    let before = reports.load(ordering: .relaxed)
    let cell = TrapCell { info in say("reported: \(info.signalName)"); reports.add(1, ordering: .relaxed) }
    Thread { cell.contain { () -> Void in FaultTrap(step: 1, kind: kind).fire(run: "probe") } }.start()
    for _ in 0..<2000 where reports.load(ordering: .relaxed) == before { usleep(10_000) }
    guard reports.load(ordering: .relaxed) > before else { say("no report"); exit(3) }
    return cell
}

/// The crash on another thread ends the process; the backtracer's signals cut a single sleep short.
func waitToDie() { for _ in 0..<30 { sleep(1) } }

let first = parkOne(.index)
switch mode {
case "contained":
    parkOne(.overflow)
    say("alive")
    exit(0)
case "main":
    FaultTrap(step: 2, kind: .index).fire(run: "main")
case "thread":
    Thread { FaultTrap(step: 2, kind: .index).fire(run: "thread") }.start()
    waitToDie()
case "sent":
    let target = Atomic<UInt>(0)
    let cell = TrapCell()
    Thread { cell.contain { target.store(UInt(pthread_self()), ordering: .relaxed); sleep(30) } }.start()
    while target.load(ordering: .relaxed) == 0 { usleep(1000) }
    pthread_kill(pthread_t(target.load(ordering: .relaxed)), SIGILL)
    waitToDie()
default:
    say("usage: TrapProbe contained|main|thread|sent")
    exit(2)
}
withExtendedLifetime(first) {}
say("still alive")
exit(4)
