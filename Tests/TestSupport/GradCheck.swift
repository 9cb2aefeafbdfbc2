import Testing
import Tensor

/// Central finite differences in Double (style.md §8). `forward` is a Double-precision forward of the op
/// (written independently of the Float kernel); the loss is L = Σ r·out with fixed random r, so dL/dout = r.
/// `analytic[i]` is the kernel's gradient for `inputs[i]` (computed with dOut = r). Every tensor must satisfy
/// max|analytic − numeric| / max(max|numeric|, floor) ≤ tolerance.
public func gradCheck(_ label: String, names: [String], inputs: [[Double]], analytic: [[Double]], weights r: [Double],
                      h: Double = 1e-5, tolerance: Double = 1e-3, floor: Double = 1e-4,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      forward: ([[Double]]) -> [Double]) {
    precondition(names.count == inputs.count && inputs.count == analytic.count)
    func loss(_ xs: [[Double]]) -> Double {
        let out = forward(xs)
        precondition(out.count == r.count, "gradCheck \(label): forward gave \(out.count) values, weights \(r.count)")
        var s = 0.0
        for i in 0..<out.count { s += r[i] * out[i] }
        return s
    }
    for t in 0..<inputs.count {
        guard inputs[t].count == analytic[t].count else {
            Issue.record("\(label) \(names[t]): gradient has \(analytic[t].count) values, input \(inputs[t].count)",
                         sourceLocation: sourceLocation)
            continue
        }
        var xs = inputs
        var numeric = [Double](repeating: 0, count: inputs[t].count)
        for j in 0..<inputs[t].count {
            let x0 = xs[t][j]
            xs[t][j] = x0 + h; let lp = loss(xs)
            xs[t][j] = x0 - h; let lm = loss(xs)
            xs[t][j] = x0
            numeric[j] = (lp - lm) / (2 * h)
        }
        let err = maxRelativeError(analytic[t], numeric, floor: floor)
        #expect(err <= tolerance, "\(label) \(names[t]): finite-difference relative error \(err) > \(tolerance)",
                sourceLocation: sourceLocation)
    }
}
