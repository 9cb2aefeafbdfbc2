import Testing
import Tensor

/// |a - b| <= atol + rtol·|b| element-wise; records one labelled issue with the worst element on failure.
public func expectClose(_ actual: [Float], _ expected: [Float], atol: Double = 1e-6, rtol: Double = 1e-5,
                        _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(label): count \(actual.count) != expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var worst = -1, worstExcess = 0.0, failures = 0
    for i in 0..<actual.count {
        let a = Double(actual[i]), b = Double(expected[i])
        let err = abs(a - b), allowed = atol + rtol * abs(b)
        if !(err <= allowed) {
            failures += 1
            if worst < 0 || err - allowed > worstExcess || err.isNaN { worst = i; worstExcess = err - allowed }
        }
    }
    if failures > 0 {
        Issue.record("\(label): \(failures)/\(actual.count) elements differ; worst at \(worst): actual \(actual[worst]) expected \(expected[worst]) (atol \(atol), rtol \(rtol))",
                     sourceLocation: sourceLocation)
    }
}

/// Relative error ‖a − b‖∞ / max(‖b‖∞, floor), in Double.
public func maxRelativeError(_ a: [Double], _ b: [Double], floor: Double = 1e-8) -> Double {
    precondition(a.count == b.count)
    var num = 0.0, den = floor
    for i in 0..<a.count { num = max(num, abs(a[i] - b[i])); den = max(den, abs(b[i])) }
    return num / den
}
