import RunCore
import Foundation
import Tensor

/// Builds the mask panel's snapshot of sample 0 of a batch: both views de-normalised to 8 bits, the source
/// image, the mask and the crop boxes.
public enum Snapshots {
    public static func make(step: Int, batch: Batch, source: ImageSource, config: RunConfig, sample: Int = 0) -> SnapshotRecord {
        let S = batch.imageSize, C = batch.channels
        func bytes(_ x: FloatBuffer) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: S * S * C)
            let base = x.pointer + sample * C * S * S
            for c in 0..<C {
                let mean = config.data.mean[c], std = config.data.std[c]
                for i in 0..<(S * S) {
                    let v = (base[c * S * S + i] * std + mean) * 255
                    out[i * C + c] = UInt8(max(0, min(255, v.rounded())))
                }
            }
            return out
        }
        let index = batch.sourceIndex[sample]
        let img = source.image(index)
        let grid = config.networkShape.grid, N = grid * grid
        return SnapshotRecord(step: step, viewWidth: S, viewHeight: S, viewChannels: C,
                              view1: bytes(batch.x1), view2: bytes(batch.x2),
                              sourceWidth: img.width, sourceHeight: img.height, sourceChannels: img.channels,
                              source: img.pixels, gridWidth: grid, gridHeight: grid,
                              mask: Array(batch.mask[(sample * N)..<((sample + 1) * N)]),
                              crop1: batch.crops[sample].view1, crop2: batch.crops[sample].view2,
                              sourceId: index, wallTime: Date().timeIntervalSince1970)
    }
}
