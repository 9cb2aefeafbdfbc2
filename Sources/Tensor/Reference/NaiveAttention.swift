import Foundation

/// Naive twin of Attention: explicit index arithmetic per (b, h, i, j), Double accumulation, no BLAS.
extension Naive {
    public static func attentionForward(out: FloatPtr, att: FloatPtr, qkv: ConstFloatPtr, batch: Int, tokens: Int,
                                        dim: Int, heads: Int) {
        let (B, T, D, H) = (batch, tokens, dim, heads)
        let Dh = D / H
        let scale = 1 / Double(Dh).squareRoot()
        func at(_ b: Int, _ t: Int, _ s: Int, _ h: Int, _ d: Int) -> Double {
            Double(qkv[(b * T + t) * 3 * D + s * D + h * Dh + d])
        }
        for b in 0..<B { for h in 0..<H { for i in 0..<T {
            var scores = [Double](repeating: 0, count: T)
            for j in 0..<T {
                var s = 0.0
                for d in 0..<Dh { s += at(b, i, 0, h, d) * scale * at(b, j, 1, h, d) }
                scores[j] = s
            }
            let m = scores.max() ?? 0
            let e = scores.map { Foundation.exp($0 - m) }
            let z = e.reduce(0, +)
            for j in 0..<T { att[((b * H + h) * T + i) * T + j] = Float(e[j] / z) }
            for d in 0..<Dh {
                var s = 0.0
                for j in 0..<T { s += e[j] / z * at(b, j, 2, h, d) }
                out[(b * T + i) * D + h * Dh + d] = Float(s)
            }
        } } }
    }

    public static func attentionBackward(dQKV: FloatPtr, dOut: ConstFloatPtr, qkv: ConstFloatPtr, att: ConstFloatPtr,
                                         batch: Int, tokens: Int, dim: Int, heads: Int) {
        let (B, T, D, H) = (batch, tokens, dim, heads)
        let Dh = D / H
        let scale = 1 / Double(Dh).squareRoot()
        func idx(_ b: Int, _ t: Int, _ s: Int, _ h: Int, _ d: Int) -> Int { (b * T + t) * 3 * D + s * D + h * Dh + d }
        for b in 0..<B { for h in 0..<H {
            let p = { (i: Int, j: Int) in Double(att[((b * H + h) * T + i) * T + j]) }
            for i in 0..<T {
                // dP[i,j] = Σ_d dO[i,d]·v[j,d]; dS = P ⊙ (dP − Σ_j P·dP)
                var dP = [Double](repeating: 0, count: T)
                for j in 0..<T { for d in 0..<Dh {
                    dP[j] += Double(dOut[(b * T + i) * D + h * Dh + d]) * Double(qkv[idx(b, j, 2, h, d)])
                } }
                var dot = 0.0
                for j in 0..<T { dot += p(i, j) * dP[j] }
                for j in 0..<T {
                    let dS = p(i, j) * (dP[j] - dot)
                    for d in 0..<Dh {
                        dQKV[idx(b, i, 0, h, d)] += Float(dS * scale * Double(qkv[idx(b, j, 1, h, d)]))
                        dQKV[idx(b, j, 1, h, d)] += Float(dS * scale * Double(qkv[idx(b, i, 0, h, d)]))
                        dQKV[idx(b, j, 2, h, d)] += Float(p(i, j) * Double(dOut[(b * T + i) * D + h * Dh + d]))
                    }
                }
            }
        } }
    }
}
