import Foundation

/// A discrete event in a run's history (the `event` table): a kind plus a typed detail. The kind strings and
/// the detail's JSON keys are stored, so both are append-only; a detail decodes from older rows because every
/// field is optional.
public enum RunEvent: Sendable, Equatable {
    case pause(Control)
    case resume(Control)
    case stop(Control)
    case lrScale(LRScale)
    case checkpoint(CheckpointSaved)
    case checkpointFailed(Failure)
    case checkpointSkipped(Skipped)
    case checkpointPruned(Pruned)
    case nan(NonFinite)
    case rollback(Rollback)
    case done(Control)
    case probe(ProbeResult)
    case probeFailed(Failure)
    case diskFull(DiskFull)
    case trap(Trap)
    case fork(Fork)
    case crashDetected(Control)

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case pause, resume, stop, lrScale = "lr_scale", checkpoint, checkpointFailed = "checkpoint_failed"
        case checkpointSkipped = "checkpoint_skipped", checkpointPruned = "checkpoint_pruned", nan, rollback, done
        case probe, probeFailed = "probe_failed", diskFull = "disk_full", trap, fork, crashDetected = "crash-detected"
    }

    /// pause, resume, stop, done: the command that asked for it (if any) and why.
    public struct Control: Codable, Sendable, Equatable {
        public var command: Int64?
        public var reason: String?
        public init(command: Int64? = nil, reason: String? = nil) { self.command = command; self.reason = reason }
    }
    public struct LRScale: Codable, Sendable, Equatable {
        public var factor: Double
        public var scale: Double
        public var command: Int64?
        public init(factor: Double, scale: Double, command: Int64? = nil) { self.factor = factor; self.scale = scale; self.command = command }
    }
    public struct CheckpointSaved: Codable, Sendable, Equatable {
        public var path: String?
        public var command: Int64?
        public init(path: String?, command: Int64? = nil) { self.path = path; self.command = command }
    }
    public struct Failure: Codable, Sendable, Equatable {
        public var error: String
        public var command: Int64?
        public init(error: String, command: Int64? = nil) { self.error = error; self.command = command }
    }
    public struct Skipped: Codable, Sendable, Equatable {
        public var reason: String
        public var kept: String
        public init(reason: String, kept: String) { self.reason = reason; self.kept = kept }
    }
    public struct Pruned: Codable, Sendable, Equatable {
        public var removed: [Int]
        public var reason: String
        public init(removed: [Int], reason: String) { self.removed = removed; self.reason = reason }
    }
    public struct NonFinite: Codable, Sendable, Equatable {
        public var step: Int?
        public var loss: String?
        public init(step: Int?, loss: String?) { self.step = step; self.loss = loss }
    }
    public struct Rollback: Codable, Sendable, Equatable {
        public var fromStep: Int
        public var toStep: Int
        public var reason: String
        public var command: Int64?
        public init(fromStep: Int, toStep: Int, reason: String, command: Int64? = nil) {
            self.fromStep = fromStep; self.toStep = toStep; self.reason = reason; self.command = command
        }
    }
    public struct ProbeResult: Codable, Sendable, Equatable {
        public var `protocol`: String
        public var linear: Double
        public var knn: Double
        public var dim: Int?, train: Int?, test: Int?
        public var seconds: Double?
        public var checkpoint: String?
        public var command: Int64?
        public init(protocol p: String, linear: Double, knn: Double, dim: Int?, train: Int?, test: Int?, seconds: Double?,
                    checkpoint: String?, command: Int64? = nil) {
            self.protocol = p; self.linear = linear; self.knn = knn; self.dim = dim; self.train = train; self.test = test
            self.seconds = seconds; self.checkpoint = checkpoint; self.command = command
        }
    }
    public struct DiskFull: Codable, Sendable, Equatable {
        public var dir: String?
        public var retrySeconds: Double?
        public init(dir: String?, retrySeconds: Double?) { self.dir = dir; self.retrySeconds = retrySeconds }
    }
    public struct Trap: Codable, Sendable, Equatable {
        public var signal: String
        public var code: Int
        public var address: String
        public init(signal: String, code: Int, address: String) { self.signal = signal; self.code = code; self.address = address }
    }
    public struct Fork: Codable, Sendable, Equatable {
        public var child: String
        public init(child: String) { self.child = child }
    }

    public var kind: Kind {
        switch self {
        case .pause: .pause
        case .resume: .resume
        case .stop: .stop
        case .lrScale: .lrScale
        case .checkpoint: .checkpoint
        case .checkpointFailed: .checkpointFailed
        case .checkpointSkipped: .checkpointSkipped
        case .checkpointPruned: .checkpointPruned
        case .nan: .nan
        case .rollback: .rollback
        case .done: .done
        case .probe: .probe
        case .probeFailed: .probeFailed
        case .diskFull: .diskFull
        case .trap: .trap
        case .fork: .fork
        case .crashDetected: .crashDetected
        }
    }
}
