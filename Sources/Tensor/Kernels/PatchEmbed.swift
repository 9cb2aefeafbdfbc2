/// Patch embedding as a matmul on flattened patches (a stride-P conv without overlap).
/// images [B, C, H, W] (NCHW) → cols [B·N, C·P·P], N = (H/P)·(W/P), token n = row·(W/P) + col,
/// inner order (c, kh, kw). PyTorch's conv weight [D, C, P, P] flattened is then `Linear`'s [D, C·P·P].
public enum PatchEmbed {
    /// Overwrites out with the flattened patches. H and W must be multiples of P.
    public static func im2col(out: FloatPtr, images: ConstFloatPtr, batch: Int, channels: Int, height: Int,
                              width: Int, patch: Int) {
        forEachPatchRow(batch: batch, channels: channels, height: height, width: width, patch: patch) { col, img in
            (out + col).update(from: images + img, count: patch)
        }
    }

    /// dImages += scatter of dCols (the adjoint of im2col). **Accumulates.**
    public static func col2im(dImages: FloatPtr, dCols: ConstFloatPtr, batch: Int, channels: Int, height: Int,
                              width: Int, patch: Int) {
        forEachPatchRow(batch: batch, channels: channels, height: height, width: width, patch: patch) { col, img in
            let d = dImages + img, s = dCols + col
            for kw in 0..<patch { d[kw] += s[kw] }
        }
    }

    /// Visits every run of P contiguous pixels: body(offset in cols, offset in images).
    @inline(__always)
    static func forEachPatchRow(batch: Int, channels: Int, height: Int, width: Int, patch: Int,
                                _ body: (Int, Int) -> Void) {
        let (C, H, W, P) = (channels, height, width, patch)
        precondition(P > 0 && H % P == 0 && W % P == 0, "PatchEmbed: \(H)×\(W) is not divisible by patch \(P)")
        let (gh, gw) = (H / P, W / P)
        let K = C * P * P
        for b in 0..<batch { for gr in 0..<gh { for gc in 0..<gw {
            let row = (b * gh * gw + gr * gw + gc) * K
            for c in 0..<C { for kh in 0..<P {
                body(row + (c * P + kh) * P, ((b * C + c) * H + gr * P + kh) * W + gc * P)
            } }
        } } }
    }
}
