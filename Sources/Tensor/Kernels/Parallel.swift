import CBLAS
import Dispatch

/// A raw pointer that may cross into `concurrentPerform`'s `@Sendable` closure. Callers guarantee that
/// concurrent workers write disjoint parts of the memory.
public struct SendablePointer<T>: @unchecked Sendable {
    public let p: UnsafeMutablePointer<T>
    @inlinable public init(_ p: UnsafeMutablePointer<T>) { self.p = p }
    @inlinable public init(_ p: UnsafePointer<T>) { self.p = UnsafeMutablePointer(mutating: p) }
}

/// Splits `count` independent jobs over `workers` threads with BLAS pinned to 1 thread inside the region
/// (OpenBLAS threads do nothing for tiny per-head GEMMs; docs/platform.md §4: 1.7–2.3× measured this way).
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

    /// How many of `requested` workers memory-bound work on `elements` floats gets: 1 below `minElementwise`,
    /// else at most one per `minElementwise / 2` elements (so no hand-off buys less than ~15 µs of work).
    public static func workers(elements: Int, requested: Int) -> Int {
        elements < minElementwise ? 1 : Swift.max(1, Swift.min(requested, elements / (minElementwise / 2)))
    }

    /// Splits 0..<count into `workers` contiguous ranges (aligned to 16 elements) for an elementwise body;
    /// leaves the BLAS thread count alone (the body calls no BLAS).
    public static func elementwise(count: Int, workers: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let w = self.workers(elements: count, requested: workers)
        if w == 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: w) { i in
            let lo = i == 0 ? 0 : (count * i / w) & ~15, hi = i == w - 1 ? count : (count * (i + 1) / w) & ~15
            body(lo..<hi)
        }
    }

    /// Calls body(range, part) for `parts` contiguous, disjoint ranges covering 0..<count (rows of a row-wise
    /// kernel), concurrently, or once on the calling thread when `parts` ≤ 1. Leaves the BLAS thread count alone.
    /// Pick `parts` with `workers(elements:requested:)`; a reduction sizes its per-part partial sums from it.
    public static func split(count: Int, parts: Int, _ body: @Sendable (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        let w = Swift.max(1, Swift.min(parts, count))
        if w == 1 { body(0..<count, 0); return }
        DispatchQueue.concurrentPerform(iterations: w) { i in body(count * i / w ..< count * (i + 1) / w, i) }
    }

    /// Adds `parts − 1` partial sums of `width` floats, laid out one after another from `partials`, into each of
    /// `targets` in part order (so the total depends on the number of parts, never on timing). A nil target
    /// skips its partials; target k's partial in part i starts at partials + (i − 1)·stride + k·width.
    public static func addPartials(_ targets: [FloatPtr?], partials: ConstFloatPtr, parts: Int, width: Int) {
        let stride = targets.count * width
        for i in 1..<Swift.max(parts, 1) {
            for (k, t) in targets.enumerated() {
                guard let t else { continue }
                let p = partials + (i - 1) * stride + k * width
                for c in 0..<width { t[c] += p[c] }
            }
        }
    }
}
