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
    /// Calls body(jobRange, workerIndex) once per worker with contiguous, disjoint job ranges.
    public static func forRanges(count: Int, workers: Int, _ body: @Sendable (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        let w = Swift.max(1, Swift.min(workers, count))
        // BLAS at 1 thread even with one worker: its threading only adds overhead to tiny per-job GEMMs.
        let saved = Blas.threads
        if saved != 1 { Blas.threads = 1 }
        defer { if saved != 1 { Blas.threads = saved } }
        if w == 1 { body(0..<count, 0); return }
        DispatchQueue.concurrentPerform(iterations: w) { i in
            body(count * i / w ..< count * (i + 1) / w, i)
        }
    }
}
