/// Why a probe could not run. Each message is one line: what happened, where, and what to do next.
public enum ProbeError: Error, CustomStringConvertible, Equatable, Sendable {
    case featureCountMismatch(features: Int, count: Int, dim: Int)
    case emptySet(String)
    case badLabel(label: Int, index: Int, classes: Int)
    case dimMismatch(train: Int, test: Int)
    case badParameter(String)
    case unlabelled(source: String, index: Int)
    case noRun(name: String, directory: String)
    case noCheckpoint(run: String, directory: String, detail: String)
    case weights(path: String, detail: String)
    case input(String)
    /// Features with a NaN or infinity: the first one's split, row and column, and where they came from.
    case nonFinite(source: String, split: String, row: Int, feature: Int, value: Float, advice: String)
    /// Non-finite weights: the first tensor holding one, and the element's flat index.
    case nonFiniteWeights(source: String, tensor: String, index: Int, value: Float)
    /// Ctrl-C or SIGTERM during the named phase.
    case interrupted(phase: String)

    public var description: String {
        switch self {
        case let .featureCountMismatch(features, count, dim):
            return "probe: the feature buffer holds \(features) floats but \(count) samples × dim \(dim) need \(count * dim); pass a [count, dim] row-major buffer"
        case let .emptySet(which):
            return "probe: the \(which) set has no samples; give it at least one feature row and label"
        case let .badLabel(label, index, classes):
            return "probe: label \(label) at sample \(index) is outside 0..<\(classes); check the labels or the class count"
        case let .dimMismatch(train, test):
            return "probe: train features have dim \(train) but test features have dim \(test); compute both with the same encoder"
        case let .badParameter(what):
            return "probe: \(what)"
        case let .unlabelled(source, index):
            return "probe: image \(index) of \(source) has no label; probe-v1 needs a labelled train and test split"
        case let .noRun(name, directory):
            return "probe: no run named \(name) in \(directory)/ (no folder \(directory)/\(name)); `siamon runs` lists them, or pass a .safetensors file"
        case let .noCheckpoint(run, directory, detail):
            return "probe: run \(run) has no usable checkpoint in \(directory) (\(detail)); train it longer or pass --checkpoint with a step it has"
        case let .weights(path, detail):
            return "probe: the weights in \(path) do not fit the network (\(detail)); pass the preset they were trained with (--preset)"
        case let .input(what):
            return "probe: \(what)"
        case let .nonFinite(source, split, row, feature, value, advice):
            return "probe: \(source) gives non-finite features (first \(value) at \(split) image \(row), feature \(feature)); \(advice)"
        case let .nonFiniteWeights(source, tensor, index, value):
            return "probe: \(source) has non-finite weights (first \(value) in \(tensor) at element \(index)); probe an earlier checkpoint or restart training from one"
        case let .interrupted(phase):
            return "probe: interrupted during \(phase); nothing was recorded"
        }
    }
}
