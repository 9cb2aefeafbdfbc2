import Foundation
import ViT

/// The memory one training process of a config needs, from the model's shapes alone (nothing is allocated),
/// so a config that cannot fit is refused before it is started instead of aborting in an allocation or being
/// killed part-way.
///
/// Counted in 4-byte floats, in Double so no size can overflow: the parameter arenas (weights, gradients,
/// AdamW m and v, the EMA target, the frozen tensors); every buffer of the training workspace at the batch
/// (each stored block activation, the block outputs, the gradient scratch, the patch, prediction, target and
/// loss buffers, sized as `Workspace` and `BlockActivations` size them); the batches in flight; the dataset
/// in memory; a fixed allowance for the runtime (code, BLAS thread buffers, the store writer).
public struct MemoryEstimate: Sendable, Equatable {
    public let parameterBytes: Double
    public let activationBytes: Double
    public let dataBytes: Double
    public static let runtimeBytes = 160.0 * 1_048_576

    public var totalBytes: Double { parameterBytes + activationBytes + dataBytes + Self.runtimeBytes }

    public init(config c: RunConfig, batch: Int? = nil) {
        let S = c.networkShape, layout = SiameseLayout(shape: S), B = Double(batch ?? c.train.batchSize)
        let P = Double(layout.trainable.count)
        parameterBytes = 4 * (4 * P + Double(layout.target.count) + Double(layout.fixed.count))
        activationBytes = 4 * Self.workspaceFloats(S, batch: B)
        let image = Double(S.channels * S.imageSize * S.imageSize)
        dataBytes = 4 * 2 * image * B * 4 + Self.datasetBytes(c.data)
    }

    /// A probe's needs: the network's arenas (no optimizer state), one forward-only chunk of
    /// `FeatureExtractor.defaultChunk` images, and the features of 70,000 images (a whole Fashion-MNIST).
    public init(probe c: RunConfig) {
        let S = c.networkShape, layout = SiameseLayout(shape: S), B = Double(FeatureExtractor.defaultChunk)
        parameterBytes = 4 * (2 * Double(layout.trainable.count) + Double(layout.target.count) + Double(layout.fixed.count))
        let m = S.model, D = Double(S.dim), rows = B * Double(S.targetTokens)
        let block = rows * (7 * D + 2 * Double(S.hidden)) + B * Double(m.heads) * Double(S.targetTokens * S.targetTokens)
        activationBytes = 4 * (block + 3 * rows * D + B * Double(S.patches) * (Double(S.patchDim) + D))
        dataBytes = 4 * 70_000 * D + Self.datasetBytes(c.data)
    }

    /// Floats of one training workspace at batch B.
    static func workspaceFloats(_ S: NetworkShape, batch B: Double) -> Double {
        let m = S.model, D = Double(S.dim), Hd = Double(S.hidden), N = Double(S.patches)
        let Pd = Double(S.predictionDim), patch = Double(S.patchDim)
        let online = Double(S.onlineTokens), target = Double(S.targetTokens), decoder = Double(S.decoderTokens)
        func stack(_ depth: Int, _ tokens: Double, _ heads: Int, stored: Bool) -> Double {
            guard depth > 0 else { return 0 }
            let rows = B * tokens, acts = stored ? Double(depth) : 1
            let perBlock = rows * (7 * D + 2 * Hd) + B * Double(heads) * tokens * tokens + 4 * Swift.max(rows, D)
            return acts * perBlock + (stored ? Double(depth + 1) : 3) * rows * D
        }
        var f = stack(m.depth, online, m.heads, stored: true)
            + stack(m.projectorDepth, online, m.decoderHeads, stored: true)
            + stack(m.decoderDepth, decoder, m.decoderHeads, stored: true)
        if !m.pixelTarget {
            f += stack(m.depth, target, m.heads, stored: false) + stack(m.projectorDepth, target, m.decoderHeads, stored: false)
        }
        let rowsN = B * N, maxRows = B * decoder
        f += 2 * rowsN * patch + 9 * rowsN * D + 2 * rowsN * Pd + 2 * rowsN   // patches, tokens, relPE, targets
        f += 2 * maxRows * D + maxRows * (7 * D + 2 * Hd) + 16 * decoder * decoder   // backward scratch
        f += 9 * rowsN * D + D * D                                                   // the loss's buffers
        return f
    }

    /// The training split held in memory (bytes), by source.
    static func datasetBytes(_ d: DataConfig) -> Double {
        switch d.source {
        case "fashion-mnist": return 60_000 * 784 * 2
        case "cifar10": return 50_000 * 3_072 * 2
        default: return Double(d.channels * d.imageSize * d.imageSize) * 1_000
        }
    }

    /// "1.6 GB (parameters and optimizer state 0.1 GB, activations at batch 256 1.2 GB, data 0.1 GB)".
    public func text(batch: Int) -> String {
        String(format: "%@ (parameters and optimizer state %@, activations at batch %d %@, data and runtime %@)",
               Self.gb(totalBytes), Self.gb(parameterBytes), batch, Self.gb(activationBytes),
               Self.gb(dataBytes + Self.runtimeBytes))
    }

    static func gb(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
}
