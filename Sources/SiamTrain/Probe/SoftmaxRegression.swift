import Foundation
import Tensor

/// probe-v1's linear classifier: multinomial logistic regression (weights [dim, classes] + bias) trained
/// with Adam on the mean cross-entropy of each batch.
///
/// Choices the protocol leaves open, fixed here (docs/probe-v1.md §2):
/// - weights and bias start at zero (the problem is convex, so the start barely matters and zero is exact);
/// - one `SeededRNG(seed)` drives a Fisher–Yates shuffle at the start of every epoch;
/// - the last partial batch is kept (60000 = 234·256 + 96 → 235 steps per epoch), like PyTorch's
///   DataLoader default `drop_last=False`; its loss is the mean over its own 96 rows.
public struct SoftmaxRegression: Sendable {
    public struct Config: Sendable, Equatable {
        public var epochs = 30
        public var batchSize = 256
        public var learningRate: Float = 1e-3
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        /// probe-v1's settings.
        public static let v1 = Config()
        public init(epochs: Int = 30, batchSize: Int = 256, learningRate: Float = 1e-3) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
        }
    }

    public let dim: Int
    public let classes: Int
    /// [dim, classes] row-major.
    public let weights: [Float]
    public let bias: [Float]
    /// Mean cross-entropy over the samples of each epoch, as seen during training.
    public let epochLoss: [Double]
    /// Adam steps taken: epochs × ceil(count / batch), since the partial batch is kept.
    public let steps: Int

    /// Trains on `train` (already standardised if the caller wants that).
    /// Stops after the epoch in which `cancelled` turns true (the caller reports the interruption).
    public init(train: FeatureSet, classes: Int, seed: UInt64, config: Config = .v1, cancelled: () -> Bool = { false }) {
        let d = train.dim, c = classes
        let state = Adam(count: d * c + c)
        let b = max(1, min(config.batchSize, train.count))
        let xb = FloatBuffer(count: b * d), logits = FloatBuffer(count: b * c)
        var order = Array(0..<train.count)
        var rng = SeededRNG(seed: seed)
        var losses: [Double] = []
        for _ in 0..<config.epochs where !cancelled() {
            Self.shuffle(&order, &rng)
            var total = 0.0
            var start = 0
            while start < order.count {
                let rows = min(b, order.count - start)
                Self.gather(xb.pointer, train, order[start..<start + rows])
                total += SoftmaxRegression.step(state, xb: xb.pointer, logits: logits.pointer,
                                                labels: order[start..<start + rows].map { train.labels[$0] },
                                                dim: d, classes: c, config: config)
                start += rows
            }
            losses.append(total / Double(max(order.count, 1)))
        }
        dim = d
        self.classes = c
        weights = Array(UnsafeBufferPointer(start: state.param.pointer, count: d * c))
        bias = Array(UnsafeBufferPointer(start: state.param.pointer + d * c, count: c))
        epochLoss = losses
        steps = state.t
    }

    /// argmax of the logits for every row of `set` (ties go to the lower class index).
    public func predict(_ set: FeatureSet) -> [Int] {
        let n = set.count
        let logits = FloatBuffer(count: n * classes)
        weights.withUnsafeBufferPointer { w in
            Blas.sgemm(m: n, n: classes, k: dim, a: set.features.pointer, lda: dim, b: w.baseAddress!, ldb: classes,
                       c: logits.pointer, ldc: classes)
        }
        return (0..<n).map { i in
            let row = logits.pointer + i * classes
            var best = 0, bestValue = row[0] + bias[0]
            for k in 1..<classes where row[k] + bias[k] > bestValue { best = k; bestValue = row[k] + bias[k] }
            return best
        }
    }

    /// One forward/backward/Adam step on the gathered batch; returns the batch's summed cross-entropy.
    static func step(_ s: Adam, xb: FloatPtr, logits: FloatPtr, labels: [Int], dim d: Int, classes c: Int,
                     config: Config) -> Double {
        let rows = labels.count, w = s.param.pointer, bias = w + d * c
        Blas.sgemm(m: rows, n: c, k: d, a: xb, lda: d, b: w, ldb: c, c: logits, ldc: c)
        // logits → softmax probabilities → dLoss/dlogits = (p − onehot) / rows, in place.
        var lossSum = 0.0
        let inv = 1 / Float(rows)
        let gBias = s.grad.pointer + d * c
        for k in 0..<c { gBias[k] = 0 }
        for i in 0..<rows {
            let z = logits + i * c
            var zmax = -Float.infinity
            for k in 0..<c { z[k] += bias[k]; if z[k] > zmax { zmax = z[k] } }
            let zLabel = z[labels[i]] - zmax
            var total: Float = 0
            for k in 0..<c { z[k] = expf(z[k] - zmax); total += z[k] }
            lossSum += Double(logf(total) - zLabel)  // log-sum-exp form: no log(0) when p underflows
            for k in 0..<c {
                z[k] = (z[k] / total - (k == labels[i] ? 1 : 0)) * inv
                gBias[k] += z[k]
            }
        }
        // dW [d, c] = xbᵀ [d, rows] · dlogits [rows, c].
        Blas.sgemm(transA: true, m: d, n: c, k: rows, a: xb, lda: d, b: logits, ldb: c, c: s.grad.pointer, ldc: c)
        s.update(config)
        return lossSum
    }
}

extension SoftmaxRegression {
    /// Parameters, gradients and Adam moments in flat buffers (PyTorch's Adam, bias-corrected, no weight decay).
    final class Adam: @unchecked Sendable {
        let param: FloatBuffer, grad: FloatBuffer, m: FloatBuffer, v: FloatBuffer
        private(set) var t = 0

        init(count: Int) {
            param = FloatBuffer(count: count); grad = FloatBuffer(count: count)
            m = FloatBuffer(count: count); v = FloatBuffer(count: count)
        }

        func update(_ cfg: SoftmaxRegression.Config) {
            t += 1
            let bc1 = 1 - Float(pow(Double(cfg.beta1), Double(t))), bc2 = 1 - Float(pow(Double(cfg.beta2), Double(t)))
            let stepSize = cfg.learningRate / bc1, rootBc2 = bc2.squareRoot()
            let p = param.pointer, g = grad.pointer, m1 = m.pointer, m2 = v.pointer
            for i in 0..<param.count {
                m1[i] = cfg.beta1 * m1[i] + (1 - cfg.beta1) * g[i]
                m2[i] = cfg.beta2 * m2[i] + (1 - cfg.beta2) * g[i] * g[i]
                p[i] -= stepSize * m1[i] / (m2[i].squareRoot() / rootBc2 + cfg.epsilon)
            }
        }
    }

    /// Fisher–Yates with the project's generator, so a seed fixes every epoch's order on every platform.
    static func shuffle(_ a: inout [Int], _ rng: inout SeededRNG) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = rng.int(0, i)
            a.swapAt(i, j)
        }
    }

    /// Copies the rows `idx` of `set` into `dst` ([idx.count, dim]).
    static func gather(_ dst: FloatPtr, _ set: FeatureSet, _ idx: ArraySlice<Int>) {
        let d = set.dim
        for (r, i) in idx.enumerated() { (dst + r * d).update(from: set.features.pointer + i * d, count: d) }
    }
}
