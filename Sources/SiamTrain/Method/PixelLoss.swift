import Tensor

/// MAE's pixel loss for the Table-3 pixel-target rows (docs/method.md §6, §10; the official `--loss_type mae`):
/// per-patch mean squared error over the p²·C values, averaged over the supervised patches.
/// `rowMask` (1 = supervised) picks MAE's masked patches for the same-view rows; nil supervises every row
/// (different views: every view-2 patch is predicted, as in the feature loss).
/// L = Σ_sel ‖P_i − T_i‖² / (|sel|·W); dL/dP_i = 2(P_i − T_i)/(|sel|·W) on selected rows, 0 elsewhere.
/// Reported as pos = L, neg = 0.
public enum PixelLoss {
    /// Shapes: dPrediction, prediction, target [M, W]; rowMask [M]. Overwrites dPrediction.
    public static func forwardBackward(dPrediction: FloatPtr, prediction p: ConstFloatPtr, target t: ConstFloatPtr,
                                       rowMask: UnsafePointer<UInt8>?, rows M: Int, width W: Int) -> UniGradLoss.Value {
        var selected = 0
        for i in 0..<M where rowMask.map({ $0[i] != 0 }) ?? true { selected += 1 }
        let scale = 2 / (Float(max(selected, 1)) * Float(W))
        var sum = 0.0
        for i in 0..<M {
            let pr = p + i * W, tr = t + i * W, dr = dPrediction + i * W
            guard rowMask.map({ $0[i] != 0 }) ?? true else { dr.update(repeating: 0, count: W); continue }
            var row: Float = 0
            for k in 0..<W {
                let d = pr[k] - tr[k]
                row += d * d
                dr[k] = scale * d
            }
            sum += Double(row)
        }
        let mse = sum / (Double(max(selected, 1)) * Double(W))
        return UniGradLoss.Value(loss: mse, pos: mse, neg: 0)
    }
}
