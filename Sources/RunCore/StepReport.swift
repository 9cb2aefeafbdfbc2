/// What one training step reports. Values, not references: it crosses threads to the store and the UI.
public struct StepReport: Sendable, Equatable, Codable {
    public var step: Int             // 0-based iteration index
    public var epoch: Double         // fractional epoch t = step / stepsPerEpoch
    public var loss: Double
    public var lossPos: Double
    public var lossNeg: Double
    public var learningRate: Double
    public var emaMomentum: Double
    public var gradNorm: Double      // before clipping
    public var seconds: Double       // wall time of this step
    public var imagesPerSecond: Double
    public var wallTime: Double      // seconds since 1970 when the step finished

    public init(step: Int, epoch: Double, loss: Double, lossPos: Double, lossNeg: Double, learningRate: Double,
                emaMomentum: Double, gradNorm: Double, seconds: Double, imagesPerSecond: Double, wallTime: Double) {
        self.step = step; self.epoch = epoch; self.loss = loss; self.lossPos = lossPos; self.lossNeg = lossNeg
        self.learningRate = learningRate; self.emaMomentum = emaMomentum; self.gradNorm = gradNorm
        self.seconds = seconds; self.imagesPerSecond = imagesPerSecond; self.wallTime = wallTime
    }

    /// Stable metric keys (persisted; append-only). These are the keys of the `scalar` table and of steps.jsonl.
    public var scalars: [(key: String, value: Double)] {
        [("loss", loss), ("loss_pos", lossPos), ("loss_neg", lossNeg), ("lr", learningRate),
         ("ema_momentum", emaMomentum), ("grad_norm", gradNorm), ("images_per_s", imagesPerSecond),
         ("epoch", epoch), ("step_seconds", seconds)]
    }
}

/// Anything that consumes the report stream: the metrics store writer, the TUI's live tap, a JSONL file.
/// `record` is called on the training thread and must not block on disk.
public protocol ReportSink: AnyObject, Sendable {
    func record(_ report: StepReport)
    /// A discrete event of the run's history.
    func event(step: Int, _ event: RunEvent)
    /// A run status transition.
    func statusChanged(_ status: RunStatus)
    /// The owner's answer to a command claimed from the store (commands from a mailbox have no id).
    func commandFinished(id: Int64, _ outcome: CommandOutcome)
    /// A mask/crop snapshot for the mask panel; sinks may drop it under load, never a metric.
    func snapshot(_ s: SnapshotRecord)
    func checkpoint(step: Int, path: String, bytes: Int)
    func probe(step: Int, linear: Double?, knn: Double?, protocolName: String)
}

public extension ReportSink {
    func event(step: Int, _ event: RunEvent) {}
    func statusChanged(_ status: RunStatus) {}
    func commandFinished(id: Int64, _ outcome: CommandOutcome) {}
    func snapshot(_ s: SnapshotRecord) {}
    func checkpoint(step: Int, path: String, bytes: Int) {}
    func probe(step: Int, linear: Double?, knn: Double?, protocolName: String) {}
}
