import Foundation
import Synchronization

/// Fault injection for the trap-containment tests (docs/architecture.md §5). Only an explicit environment variable reaches it:
///
///     SIAMON_FAULT_TRAP=<run name>:<step>[:fatal|index|overflow]
///
/// makes the TrainerHost of the run with exactly that name execute a real Swift trap on its trainer thread
/// just before that step: `fatalError` (default), an array index out of range, or an integer overflow.
/// A value that does not parse is ignored. Headless `siamon train` never reads it.
public struct FaultTrap: Sendable, Equatable {
    public enum Kind: String, Sendable { case fatal, index, overflow }
    public let step: Int
    public let kind: Kind

    public init(step: Int, kind: Kind = .fatal) { self.step = step; self.kind = kind }

    public static let variable = "SIAMON_FAULT_TRAP"

    /// The trap asked for run `run` by `value` (the variable's text), or nil.
    public static func parse(_ value: String?, run: String) -> FaultTrap? {
        guard let value, !value.isEmpty else { return nil }
        var parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var kind = Kind.fatal
        if parts.count >= 3, let k = Kind(rawValue: parts.last!) { kind = k; parts.removeLast() }
        guard parts.count >= 2, let step = Int(parts.removeLast()), step >= 0, parts.joined(separator: ":") == run else { return nil }
        return FaultTrap(step: step, kind: kind)
    }

    public static func fromEnvironment(run: String) -> FaultTrap? {
        parse(ProcessInfo.processInfo.environment[variable], run: run)
    }

    /// Traps. The operands go through an atomic so the optimiser cannot fold the fault away.
    public func fire(run: String) -> Never {
        opaque.store(step, ordering: .relaxed)
        let n = opaque.load(ordering: .relaxed)
        switch kind {
        case .fatal:
            fatalError("\(Self.variable): injected trap in run \(run) at step \(step)")
        case .index:
            let a = [Int](repeating: 0, count: n % 2)
            opaque.store(a[n + 2], ordering: .relaxed)
        case .overflow:
            opaque.store(Int.max - 1 + (n + 2), ordering: .relaxed)
        }
        fatalError("\(Self.variable): the \(kind) trap did not fire")
    }
}

private let opaque = Atomic<Int>(0)
