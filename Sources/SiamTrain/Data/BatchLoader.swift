import Foundation

/// Builds batches on one background thread into a bounded queue, so augmentation overlaps the step.
/// One worker only: the training step uses both cores for BLAS, and a 28 px batch takes a few ms to build.
/// Batches come out in step order from `startStep`; each is exactly `BatchBuilder.build(step:)`.
public final class BatchLoader: @unchecked Sendable {
    public let builder: BatchBuilder
    public let capacity: Int
    private let state: LoaderState
    public var stepsPerEpoch: Int { builder.stepsPerEpoch }

    public init(source: ImageSource, config: RunConfig, startStep: Int = 0, capacity: Int = 3) throws {
        precondition(startStep >= 0 && capacity > 0, "BatchLoader: startStep \(startStep), capacity \(capacity)")
        builder = try BatchBuilder(source: source, config: config)
        self.capacity = capacity
        state = LoaderState(startStep: startStep)
        let state = self.state, builder = self.builder
        // A loader started by a contained trainer thread (TrainerHost) is contained with it: a trap here fails the run.
        let cell = TrapCell.current
        let thread = Thread { TrapCell.contain(cell) { LoaderState.work(state, builder, capacity: capacity) } }
        thread.name = "siamon-loader"
        thread.start()
    }

    deinit { stop() }

    /// The next batch in step order; blocks while the worker is behind. After `stop()` it builds synchronously.
    public func next() -> Batch {
        let c = state.cond
        c.lock()
        let start = DispatchTime.now().uptimeNanoseconds
        while state.queue.isEmpty && !state.stopped { c.wait() }
        state.waited += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let step = state.served
        state.served += 1
        let ready = state.queue.isEmpty ? nil : state.queue.removeFirst()
        c.broadcast()
        c.unlock()
        return ready ?? builder.build(step: step)
    }

    /// Total seconds `next()` has spent blocked waiting for the worker.
    public var waitSeconds: Double {
        state.cond.lock(); defer { state.cond.unlock() }
        return state.waited
    }

    /// Stops the worker and waits for it to finish its current batch. Idempotent.
    public func stop() {
        let c = state.cond
        c.lock()
        state.stopped = true
        state.queue.removeAll()
        c.broadcast()
        while !state.workerDone { c.wait() }
        c.unlock()
    }
}

/// Queue state shared by the loader and its worker; every field is guarded by `cond`.
final class LoaderState: @unchecked Sendable {
    let cond = NSCondition()
    var queue: [Batch] = []
    var nextToBuild: Int
    var served: Int
    var stopped = false
    var workerDone = false
    var waited = 0.0

    init(startStep: Int) { nextToBuild = startStep; served = startStep }

    static func work(_ s: LoaderState, _ builder: BatchBuilder, capacity: Int) {
        while true {
            s.cond.lock()
            while s.queue.count >= capacity && !s.stopped { s.cond.wait() }
            if s.stopped { s.workerDone = true; s.cond.broadcast(); s.cond.unlock(); return }
            let step = s.nextToBuild
            s.nextToBuild += 1
            s.cond.unlock()
            let batch = builder.build(step: step)
            s.cond.lock()
            if !s.stopped { s.queue.append(batch) }
            s.cond.broadcast()
            s.cond.unlock()
        }
    }
}
