import Foundation
import Tensor

/// probe-v1's kNN classifier: cosine similarity on l2-normalised features, the k most similar train samples,
/// votes weighted by exp(sim / T), argmax of the votes (ties go to the lower class index).
///
/// Similarities come from sgemm in blocks of `blockRows` test rows against all train rows; each row's top k
/// is then picked in one pass with a small sorted list, split over `threads` with `concurrentPerform`.
public enum KNearest {
    public static let blockRows = 256

    /// The predicted class of every test sample.
    public static func predict(train: FeatureSet, test: FeatureSet, classes: Int, k: Int, temperature: Float,
                               threads: Int = 2, cancelled: () -> Bool = { false }) -> [Int] {
        let n = train.count, d = train.dim, kk = min(k, n)
        let trainN = normalisedRows(train), testN = normalisedRows(test)
        let sims = FloatBuffer(count: min(blockRows, test.count) * n)
        var predictions = [Int](repeating: 0, count: test.count)
        let labels = train.labels
        predictions.withUnsafeMutableBufferPointer { out in
            let box = Shared(sims: sims.pointer, out: out.baseAddress!)
            var start = 0
            while start < test.count && !cancelled() {
                let rows = min(blockRows, test.count - start)
                Blas.sgemm(transB: true, m: rows, n: n, k: d, a: testN.pointer + start * d, lda: d,
                           b: trainN.pointer, ldb: d, c: sims.pointer, ldc: n)
                let parts = max(1, min(threads, rows)), first = start
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    var top = TopK(k: kk)
                    for r in (rows * part / parts)..<(rows * (part + 1) / parts) {
                        top.select(box.sims + r * n, count: n)
                        box.out[first + r] = top.vote(labels: labels, classes: classes, temperature: temperature)
                    }
                }
                start += rows
            }
        }
        return predictions
    }

    /// Rows divided by their l2 norm (a zero row stays zero, like torch's F.normalize with eps 1e-12).
    public static func normalisedRows(_ set: FeatureSet) -> FloatBuffer {
        let d = set.dim, out = FloatBuffer(count: set.count * d)
        for i in 0..<set.count {
            let src = set.features.pointer + i * d, dst = out.pointer + i * d
            var acc = SIMD8<Float>()
            var j = 0
            while j + 8 <= d {
                let v = UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self)
                acc += v * v
                j += 8
            }
            var sq = acc.sum()
            while j < d { sq += src[j] * src[j]; j += 1 }
            let norm = sq.squareRoot()
            let scale = 1 / (norm > 1e-12 ? norm : 1e-12)
            for j in 0..<d { dst[j] = src[j] * scale }
        }
        return out
    }

    /// Pointers the worker closures share; each worker writes only its own rows of `out`.
    struct Shared: @unchecked Sendable {
        let sims: UnsafeMutablePointer<Float>
        let out: UnsafeMutablePointer<Int>
    }
}

extension KNearest {
    /// The k largest values of a row and their indices, kept sorted in descending order. Equal values keep the
    /// earlier index (only a strictly larger value enters a full list).
    struct TopK {
        let k: Int
        var values: [Float]
        var indices: [Int]

        init(k: Int) {
            self.k = k
            values = [Float](repeating: 0, count: k)
            indices = [Int](repeating: 0, count: k)
        }

        mutating func select(_ row: UnsafePointer<Float>, count n: Int) {
            var filled = 0
            values.withUnsafeMutableBufferPointer { v in
                indices.withUnsafeMutableBufferPointer { ix in
                    for j in 0..<n {
                        let s = row[j]
                        if filled == k {
                            if !(s > v[k - 1]) { continue }  // the common case: one compare per train sample
                        } else {
                            filled += 1
                        }
                        // Insert s at its place among the first `filled` entries, shifting smaller ones down.
                        var p = filled - 1
                        while p > 0 && v[p - 1] < s { v[p] = v[p - 1]; ix[p] = ix[p - 1]; p -= 1 }
                        v[p] = s
                        ix[p] = j
                    }
                }
            }
        }

        /// Weighted vote over the selected neighbours: weight exp(sim / T), accumulated in Double.
        func vote(labels: [Int], classes: Int, temperature: Float) -> Int {
            var votes = [Double](repeating: 0, count: classes)
            for i in 0..<k { votes[labels[indices[i]]] += exp(Double(values[i]) / Double(temperature)) }
            var best = 0
            for c in 1..<classes where votes[c] > votes[best] { best = c }
            return best
        }
    }
}
