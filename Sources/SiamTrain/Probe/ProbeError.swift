/// Why a probe could not run. Each message is one line: what happened, where, and what to do next.
public enum ProbeError: Error, CustomStringConvertible, Equatable, Sendable {
    case featureCountMismatch(features: Int, count: Int, dim: Int)
    case emptySet(String)
    case badLabel(label: Int, index: Int, classes: Int)
    case dimMismatch(train: Int, test: Int)
    case badParameter(String)
    case fileMissing(path: String)
    case corruptFile(path: String, reason: String)

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
        case let .fileMissing(path):
            return "probe: cannot read \(path); install the Debian package dataset-fashion-mnist (make deps) or fix the path"
        case let .corruptFile(path, reason):
            return "probe: \(path) is not a valid IDX .gz file (\(reason)); reinstall dataset-fashion-mnist or replace the file"
        }
    }
}
