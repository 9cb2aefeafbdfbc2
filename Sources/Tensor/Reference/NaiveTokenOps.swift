/// Naive twins of PatchEmbed and the token ops: direct index formulas.
extension Naive {
    public static func im2col(out: FloatPtr, images: ConstFloatPtr, batch: Int, channels: Int, height: Int,
                              width: Int, patch: Int) {
        let (C, H, W, P) = (channels, height, width, patch)
        let (gw, N, K) = (W / P, (H / P) * (W / P), C * P * P)
        for b in 0..<batch { for n in 0..<N { for c in 0..<C { for kh in 0..<P { for kw in 0..<P {
            let y = (n / gw) * P + kh, x = (n % gw) * P + kw
            out[(b * N + n) * K + c * P * P + kh * P + kw] = images[((b * C + c) * H + y) * W + x]
        } } } } }
    }

    public static func col2im(dImages: FloatPtr, dCols: ConstFloatPtr, batch: Int, channels: Int, height: Int,
                              width: Int, patch: Int) {
        let (C, H, W, P) = (channels, height, width, patch)
        let (gw, N, K) = (W / P, (H / P) * (W / P), C * P * P)
        for b in 0..<batch { for n in 0..<N { for c in 0..<C { for kh in 0..<P { for kw in 0..<P {
            let y = (n / gw) * P + kh, x = (n % gw) * P + kw
            dImages[((b * C + c) * H + y) * W + x] += dCols[(b * N + n) * K + c * P * P + kh * P + kw]
        } } } } }
    }

    public static func meanTokensForward(out: FloatPtr, input: ConstFloatPtr, batch: Int, tokens: Int, dim: Int,
                                         skip: Int) {
        for b in 0..<batch { for d in 0..<dim {
            var s = 0.0
            for t in skip..<tokens { s += Double(input[(b * tokens + t) * dim + d]) }
            out[b * dim + d] = Float(s / Double(tokens - skip))
        } }
    }

    public static func meanTokensBackward(dInput: FloatPtr, dOut: ConstFloatPtr, batch: Int, tokens: Int, dim: Int,
                                          skip: Int) {
        for b in 0..<batch { for t in skip..<tokens { for d in 0..<dim {
            dInput[(b * tokens + t) * dim + d] += Float(Double(dOut[b * dim + d]) / Double(tokens - skip))
        } } }
    }

    public static func gatherRowsForward(out: FloatPtr, input: ConstFloatPtr, indices: UnsafePointer<Int32>,
                                         batch: Int, tokens: Int, kept: Int, dim: Int) {
        for b in 0..<batch { for k in 0..<kept { for d in 0..<dim {
            out[(b * kept + k) * dim + d] = input[(b * tokens + Int(indices[b * kept + k])) * dim + d]
        } } }
    }

    public static func gatherRowsBackward(dInput: FloatPtr, dOut: ConstFloatPtr, indices: UnsafePointer<Int32>,
                                          batch: Int, tokens: Int, kept: Int, dim: Int) {
        for b in 0..<batch { for k in 0..<kept { for d in 0..<dim {
            dInput[(b * tokens + Int(indices[b * kept + k])) * dim + d] += dOut[(b * kept + k) * dim + d]
        } } }
    }

    public static func addForward(out: FloatPtr, a: ConstFloatPtr, b: ConstFloatPtr, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    public static func addAccumulate(out: FloatPtr, input: ConstFloatPtr, count: Int) {
        for i in 0..<count { out[i] = Float(Double(out[i]) + Double(input[i])) }
    }

    public static func scale(_ x: FloatPtr, count: Int, factor: Float) {
        for i in 0..<count { x[i] = Float(Double(x[i]) * Double(factor)) }
    }

    /// target = m·target + (1 − m)·online, in Double.
    public static func ema(target: FloatPtr, online: ConstFloatPtr, count: Int, momentum m: Float) {
        let md = Double(m)
        for i in 0..<count { target[i] = Float(md * Double(target[i]) + (1 - md) * Double(online[i])) }
    }
}
