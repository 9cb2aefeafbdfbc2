import Dispatch
import Glibc
import Synchronization

/// Cheap per-kernel timers for `siamon bench --profile`. Always compiled in: when `enabled` is false a timed
/// region costs one predictable branch. Times accumulate per (kernel class, phase) in nanoseconds.
///
/// The training step calls kernels from one thread (kernels parallelise inside themselves), so the counters are
/// plain memory owned by that thread; `enabled`/`reset`/`snapshot` must not race a running step.
public enum Profile {
    /// What a timed region computes. `linear` is every GEMM of a Linear layer (forward: X·Wᵀ + b; backward:
    /// dX and dW and the bias column sums); `attention` is the per-head core (QKᵀ, softmax, AV).
    public enum Kernel: Int, CaseIterable, Sendable {
        case linear, attention, layerNorm, batchNorm, gelu, residual, embedding, gather, loss, clip, adamW, ema, other

        public var label: String {
            switch self {
            case .linear: "linear (GEMM)"
            case .attention: "attention"
            case .layerNorm: "layernorm"
            case .batchNorm: "batchnorm"
            case .gelu: "GELU"
            case .residual: "residual add/copy"
            case .embedding: "patch+pos embedding"
            case .gather: "gather/scatter rows"
            case .loss: "UniGrad loss"
            case .clip: "grad norm + clip"
            case .adamW: "AdamW"
            case .ema: "EMA update"
            case .other: "other"
            }
        }
    }

    /// Where in the step: online forward, online backward, the no-grad target forward, or the update.
    public enum Phase: Int, CaseIterable, Sendable {
        case forward, backward, target, update

        public var label: String {
            switch self {
            case .forward: "forward"
            case .backward: "backward"
            case .target: "target fwd"
            case .update: "update"
            }
        }
    }

    static let slots = Kernel.allCases.count * Phase.allCases.count
    // Unsynchronised by design (see the type comment): one allocation, never freed. Wall-clock nanoseconds in
    // [0, slots), process CPU nanoseconds (all threads) in [slots, 2·slots).
    nonisolated(unsafe) static let counters: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * slots)
        p.initialize(repeating: 0, count: 2 * slots)
        return p
    }()

    /// CPU time of the whole process (every thread), in ns. On a shared machine it barely depends on how
    /// much of the CPU other processes take, unlike wall time.
    @inline(__always) static func cpuNanos() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
    nonisolated(unsafe) public static var enabled = false
    /// The phase kernels are attributed to; set by the network around its passes.
    nonisolated(unsafe) public static var phase: Phase = .forward

    /// Runs `body`, adding its wall time to (kernel, current phase) when profiling is on.
    @inline(__always)
    public static func time<R>(_ kernel: Kernel, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuNanos()
        let result = try body()
        let slot = kernel.rawValue * Phase.allCases.count + phase.rawValue
        counters[slot] &+= DispatchTime.now().uptimeNanoseconds &- start
        counters[slots + slot] &+= cpuNanos() &- cpuStart
        return result
    }

    /// Runs `body` with `phase` set, restoring the previous phase afterwards.
    @inline(__always)
    public static func during<R>(_ p: Phase, _ body: () throws -> R) rethrows -> R {
        let saved = phase
        phase = p
        defer { phase = saved }
        return try body()
    }

    /// 2·M·N·K summed over every `Blas.sgemm` call while `enabled` (atomic: attention calls it from workers).
    /// Tests compare it with `StepFlops`, so the FLOP table is checked against what really ran.
    static let gemmFlopCounter = Atomic<UInt64>(0)
    public static var gemmFlops: UInt64 { gemmFlopCounter.load(ordering: .relaxed) }

    @inline(__always)
    public static func countGemm(m: Int, n: Int, k: Int) {
        guard enabled, isCountingThread else { return }
        gemmFlopCounter.add(UInt64(2 * m * n * k), ordering: .relaxed)
    }

    // GEMMs are counted only on threads marked by `start()` and on the workers `Parallel.forRanges` starts
    // from them, so BLAS calls of unrelated threads (other tests running in parallel) never add to the count.
    static let countingKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    public static var isCountingThread: Bool { pthread_getspecific(countingKey) != nil }
    public static func markCountingThread(_ on: Bool) {
        pthread_setspecific(countingKey, on ? UnsafeRawPointer(bitPattern: 1) : nil)
    }

    /// Resets the counters, turns profiling on and marks the calling thread for GEMM counting.
    public static func start() {
        reset()
        markCountingThread(true)
        enabled = true
    }

    /// Turns profiling off and unmarks the calling thread; the counters keep their values.
    public static func stop() {
        enabled = false
        markCountingThread(false)
    }

    public static func reset() {
        counters.update(repeating: 0, count: 2 * slots)
        gemmFlopCounter.store(0, ordering: .relaxed)
    }

    /// Wall seconds accumulated for (kernel, phase); `cpu: true` gives process CPU seconds instead.
    public static func seconds(_ kernel: Kernel, _ p: Phase, cpu: Bool = false) -> Double {
        Double(counters[(cpu ? slots : 0) + kernel.rawValue * Phase.allCases.count + p.rawValue]) * 1e-9
    }
}
