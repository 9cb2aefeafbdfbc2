import Foundation

extension RunEvent {
    /// The `event.detail` column: the detail as one JSON object with snake_case keys, nil fields left out.
    public var detailJSON: String {
        switch self {
        case .pause(let d), .resume(let d), .stop(let d), .done(let d), .crashDetected(let d): Self.encode(d)
        case .lrScale(let d): Self.encode(d)
        case .checkpoint(let d): Self.encode(d)
        case .checkpointFailed(let d), .probeFailed(let d): Self.encode(d)
        case .checkpointSkipped(let d): Self.encode(d)
        case .checkpointPruned(let d): Self.encode(d)
        case .nan(let d): Self.encode(d)
        case .rollback(let d): Self.encode(d)
        case .probe(let d): Self.encode(d)
        case .diskFull(let d): Self.encode(d)
        case .trap(let d): Self.encode(d)
        case .fork(let d): Self.encode(d)
        }
    }

    /// The command id an event answers, if it was applied from one.
    public var commandId: Int64? {
        switch self {
        case .pause(let d), .resume(let d), .stop(let d), .done(let d), .crashDetected(let d): d.command
        case .lrScale(let d): d.command
        case .checkpoint(let d): d.command
        case .checkpointFailed(let d), .probeFailed(let d): d.command
        case .rollback(let d): d.command
        case .probe(let d): d.command
        default: nil
        }
    }

    /// Reads a stored row back; nil for a kind this build does not know or a detail that does not decode.
    public init?(kind: String, detail: String) {
        guard let k = Kind(rawValue: kind) else { return nil }
        let data = Data((detail.isEmpty ? "{}" : detail).utf8)
        func d<T: Decodable>(_ t: T.Type) -> T? { try? Self.decoder.decode(t, from: data) }
        let event: RunEvent?
        switch k {
        case .pause: event = d(Control.self).map(RunEvent.pause)
        case .resume: event = d(Control.self).map(RunEvent.resume)
        case .stop: event = d(Control.self).map(RunEvent.stop)
        case .done: event = d(Control.self).map(RunEvent.done)
        case .crashDetected: event = d(Control.self).map(RunEvent.crashDetected)
        case .lrScale: event = d(LRScale.self).map(RunEvent.lrScale)
        case .checkpoint: event = d(CheckpointSaved.self).map(RunEvent.checkpoint)
        case .checkpointFailed: event = d(Failure.self).map(RunEvent.checkpointFailed)
        case .checkpointSkipped: event = d(Skipped.self).map(RunEvent.checkpointSkipped)
        case .checkpointPruned: event = d(Pruned.self).map(RunEvent.checkpointPruned)
        case .nan: event = d(NonFinite.self).map(RunEvent.nan)
        case .rollback: event = d(Rollback.self).map(RunEvent.rollback)
        case .probe: event = d(ProbeResult.self).map(RunEvent.probe)
        case .probeFailed: event = d(Failure.self).map(RunEvent.probeFailed)
        case .diskFull: event = d(DiskFull.self).map(RunEvent.diskFull)
        case .trap: event = d(Trap.self).map(RunEvent.trap)
        case .fork: event = d(Fork.self).map(RunEvent.fork)
        }
        guard let event else { return nil }
        self = event
    }

    private static func encode<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? e.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()
}
