import CBLAS
import Dispatch

/// A raw pointer that may cross into `concurrentPerform`'s `@Sendable` closure. Callers guarantee that
/// concurrent workers write disjoint parts of the memory.
@usableFromInline
struct SendablePointer<T>: @unchecked Sendable {
    @usableFromInline let p: UnsafeMutablePointer<T>
    @usableFromInline init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}

/// Splits `count` independent jobs over `workers` threads with BLAS pinned to 1 thread inside the region
/// (OpenBLAS threads do nothing for tiny per-head GEMMs; platform-notes.md §4 measured 1.7–2.3× this way).
public enum Parallel {
    /// Worker threads for kernels that split work themselves: the BLAS thread count the caller set
    /// (`Blas.threads`, i.e. the run's `train.threads`), so one knob sets the step's parallelism.
    public static var defaultWorkers: Int { Swift.max(1, Blas.threads) }

    /// Calls body(jobRange, workerIndex) once per worker with contiguous, disjoint job ranges.
    public static func forRanges(count: Int, workers: Int, _ body: @Sendable (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        let w = Swift.max(1, Swift.min(workers, count))
        // BLAS at 1 thread even with one worker: its threading only adds overhead to tiny per-job GEMMs.
        let saved = Blas.threads
        if saved != 1 { Blas.threads = 1 }
        defer { if saved != 1 { Blas.threads = saved } }
        if w == 1 { body(0..<count, 0); return }
        let counting = Profile.enabled && Profile.isCountingThread
        DispatchQueue.concurrentPerform(iterations: w) { i in
            // Workers inherit the caller's GEMM-counting mark (Profile) and restore their own afterwards
            // (one of them may be the calling thread itself).
            let had = counting && Profile.isCountingThread
            if counting { Profile.markCountingThread(true) }
            body(count * i / w ..< count * (i + 1) / w, i)
            if counting { Profile.markCountingThread(had) }
        }
    }

    /// Below this many elements an elementwise kernel stays on the calling thread (a thread hand-off costs
    /// ~10 µs, the time of ~30k GELU elements).
    public static let minElementwise = 1 << 16

    /// Splits 0..<count into `workers` contiguous ranges (aligned to 16 elements) for an elementwise body;
    /// leaves the BLAS thread count alone (the body calls no BLAS).
    public static func elementwise(count: Int, workers: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let w = Swift.max(1, Swift.min(workers, count / Swift.max(minElementwise / 2, 1)))
        if w == 1 || count < minElementwise { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: w) { i in
            let lo = i == 0 ? 0 : (count * i / w) & ~15, hi = i == w - 1 ? count : (count * (i + 1) / w) & ~15
            body(lo..<hi)
        }
    }
}
