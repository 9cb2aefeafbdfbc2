import Foundation

/// Double-precision forwards used only by the finite-difference checks. Written from the textbook
/// definitions, independently of both the fast kernels and their naive twins.
enum D64 {
    static func linear(_ x: [Double], _ w: [Double], _ b: [Double]?, R: Int, I: Int, O: Int) -> [Double] {
        var y = [Double](repeating: 0, count: R * O)
        for r in 0..<R { for o in 0..<O {
            var s = b?[o] ?? 0
            for i in 0..<I { s += x[r * I + i] * w[o * I + i] }
            y[r * O + o] = s
        } }
        return y
    }

    /// LayerNorm per row over C, biased variance.
    static func layerNorm(_ x: [Double], _ w: [Double]?, _ b: [Double]?, R: Int, C: Int, eps: Double) -> [Double] {
        var y = x
        for r in 0..<R {
            let row = Array(x[r * C ..< (r + 1) * C])
            let m = row.reduce(0, +) / Double(C)
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(C)
            for c in 0..<C { y[r * C + c] = (row[c] - m) / (v + eps).squareRoot() * (w?[c] ?? 1) + (b?[c] ?? 0) }
        }
        return y
    }

    /// BatchNorm per channel over R rows, biased variance (train mode).
    static func batchNorm(_ x: [Double], _ w: [Double]?, _ b: [Double]?, R: Int, C: Int, eps: Double) -> [Double] {
        var y = x
        for c in 0..<C {
            let col = (0..<R).map { x[$0 * C + c] }
            let m = col.reduce(0, +) / Double(R)
            let v = col.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(R)
            for r in 0..<R { y[r * C + c] = (col[r] - m) / (v + eps).squareRoot() * (w?[c] ?? 1) + (b?[c] ?? 0) }
        }
        return y
    }

    static func gelu(_ x: [Double]) -> [Double] { x.map { $0 * 0.5 * (1 + erf($0 / 2.0.squareRoot())) } }

    static func softmax(_ x: [Double], R: Int, N: Int) -> [Double] {
        var y = x
        for r in 0..<R {
            let row = x[r * N ..< (r + 1) * N]
            let m = row.max()!
            let z = row.map { exp($0 - m) }.reduce(0, +)
            for j in 0..<N { y[r * N + j] = exp(x[r * N + j] - m) / z }
        }
        return y
    }

    /// Attention over fused qkv [B,T,3D] → [B,T,D].
    static func attention(_ qkv: [Double], B: Int, T: Int, D: Int, H: Int) -> [Double] {
        let Dh = D / H
        var out = [Double](repeating: 0, count: B * T * D)
        func at(_ b: Int, _ t: Int, _ s: Int, _ h: Int, _ d: Int) -> Double { qkv[(b * T + t) * 3 * D + s * D + h * Dh + d] }
        for b in 0..<B { for h in 0..<H { for i in 0..<T {
            let scores = (0..<T).map { j in (0..<Dh).map { at(b, i, 0, h, $0) * at(b, j, 1, h, $0) }.reduce(0, +) / Double(Dh).squareRoot() }
            let p = softmax(scores, R: 1, N: T)
            for d in 0..<Dh { out[(b * T + i) * D + h * Dh + d] = (0..<T).map { p[$0] * at(b, $0, 2, h, d) }.reduce(0, +) }
        } } }
        return out
    }

    static func meanTokens(_ x: [Double], B: Int, T: Int, D: Int, skip: Int) -> [Double] {
        var y = [Double](repeating: 0, count: B * D)
        for b in 0..<B { for d in 0..<D {
            y[b * D + d] = (skip..<T).map { x[(b * T + $0) * D + d] }.reduce(0, +) / Double(T - skip)
        } }
        return y
    }

    static func gather(_ x: [Double], _ idx: [Int32], B: Int, T: Int, K: Int, D: Int) -> [Double] {
        var y = [Double](repeating: 0, count: B * K * D)
        for b in 0..<B { for k in 0..<K { for d in 0..<D { y[(b * K + k) * D + d] = x[(b * T + Int(idx[b * K + k])) * D + d] } } }
        return y
    }

    /// Patches of [B,C,H,W] as rows [B·N, C·P·P], (c, kh, kw) inner order, row-major tokens.
    static func im2col(_ img: [Double], B: Int, C: Int, H: Int, W: Int, P: Int) -> [Double] {
        var y: [Double] = []
        for b in 0..<B { for gr in 0..<(H / P) { for gc in 0..<(W / P) {
            for c in 0..<C { for kh in 0..<P { for kw in 0..<P { y.append(img[((b * C + c) * H + gr * P + kh) * W + gc * P + kw]) } } }
        } } }
        return y
    }
}

/// Random values in Double that are exactly representable in Float, so both precisions see the same input.
extension Array where Element == Double {
    var asFloatExact: [Double] { map { Double(Float($0)) } }
}
