/// What any process can ask of a live run: through the store's `command` table (docs/command-channel.md) or
/// an in-process host's mailbox. The kind strings are stored; they never change.
public enum RunCommand: Sendable, Equatable, Codable {
    case pause, resume, stop
    /// Multiplies the run's current LR scale by the factor (> 0).
    case scaleLearningRate(Double)
    case checkpoint
    case probe

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case pause, resume, stop, lrScale = "lr_scale", checkpoint, probe
    }

    public var kind: Kind {
        switch self {
        case .pause: .pause
        case .resume: .resume
        case .stop: .stop
        case .scaleLearningRate: .lrScale
        case .checkpoint: .checkpoint
        case .probe: .probe
        }
    }

    /// The `command.argument` column: the factor of lr_scale, nil otherwise.
    public var argument: Double? {
        if case .scaleLearningRate(let f) = self { return f }
        return nil
    }

    /// Rebuilds a command from its stored kind and argument; nil for an unknown kind or a bad factor.
    public init?(kind: String, argument: Double?) {
        switch Kind(rawValue: kind) {
        case .pause: self = .pause
        case .resume: self = .resume
        case .stop: self = .stop
        case .checkpoint: self = .checkpoint
        case .probe: self = .probe
        case .lrScale:
            guard let f = argument, f.isFinite, f > 0 else { return nil }
            self = .scaleLearningRate(f)
        case nil: return nil
        }
    }
}

/// A command's place in its life (the `command.state` column).
public enum CommandState: String, Sendable, Codable, CaseIterable {
    case pending, claimed, applied, refused, expired
    public var isFinal: Bool { self == .applied || self == .refused || self == .expired }
}

/// A command the owner has claimed from the store (or received in its mailbox, id nil).
public struct IssuedCommand: Sendable, Equatable {
    public var id: Int64?
    public var command: RunCommand
    public init(id: Int64?, command: RunCommand) { self.id = id; self.command = command }
}

/// How the owner answers a command: applied or refused, with a short sentence.
public struct CommandOutcome: Sendable, Equatable {
    public var state: CommandState
    public var result: String
    public static func applied(_ result: String) -> CommandOutcome { CommandOutcome(state: .applied, result: result) }
    public static func refused(_ result: String) -> CommandOutcome { CommandOutcome(state: .refused, result: result) }
}

/// Where a run's owner takes its commands from at a step boundary. `claim` never blocks: it returns what has
/// been claimed for this run since the last call, in issue order.
public protocol CommandSource: AnyObject, Sendable {
    func claim() -> [IssuedCommand]
}
