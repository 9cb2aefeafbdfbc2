import Tensor

/// MAE's pixel target (`patchify` and `norm_pix_loss`; the pixel-target rows of docs/method.md §6, §10).
/// Shapes: images [B, C, H, W] (normalised, NCHW); out [B·N, p²·C] with patches row-major over the grid and,
/// inside a patch, MAE's 'nhwpqc' order: row p, column q, then channel.
public enum PatchPixels {
    public static func patchify(out: FloatPtr, images: ConstFloatPtr, batch: Int, channels C: Int, imageSize H: Int, patch P: Int) {
        let G = H / P, rowWidth = P * P * C
        for b in 0..<batch {
            let img = images + b * C * H * H
            for gi in 0..<G { for gj in 0..<G {
                let row = out + ((b * G + gi) * G + gj) * rowWidth
                for p in 0..<P { for q in 0..<P { for c in 0..<C {
                    row[(p * P + q) * C + c] = img[(c * H + gi * P + p) * H + gj * P + q]
                } } }
            } }
        }
    }

    /// norm_pix_loss: each row ← (row − mean) / √(var + eps), var unbiased as `torch.var`'s default.
    /// A one-value row (p²·C = 1) has no unbiased variance; it is only centred then.
    public static func normalizeRows(_ x: FloatPtr, rows: Int, width: Int, eps: Float = 1e-6) {
        for r in 0..<rows {
            let row = x + r * width
            var mean = 0.0
            for k in 0..<width { mean += Double(row[k]) }
            mean /= Double(width)
            var ss = 0.0
            for k in 0..<width { let d = Double(row[k]) - mean; ss += d * d }
            let variance = width > 1 ? ss / Double(width - 1) : 0
            let scale = width > 1 ? 1 / (variance + Double(eps)).squareRoot() : 1
            for k in 0..<width { row[k] = Float((Double(row[k]) - mean) * scale) }
        }
    }
}
