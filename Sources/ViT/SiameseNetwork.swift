import Tensor

/// The SiameseIM network: online branch (backbone → projector → decoder → head) with backward, and the
/// EMA target branch (backbone → projector → LN without affine), forward only.
/// Owns the parameter arenas; activations for one batch size live in a `Workspace` built on first use.
public final class SiameseNetwork {
    public let layout: SiameseLayout
    public let shape: NetworkShape
    public let params: Arena      // trainable online parameters
    public let grads: Arena       // their gradients (same layout)
    public let target: Arena      // mm_ copies of the EMA prefix
    public let fixed: Arena       // frozen parameters and buffers
    public private(set) var workspace: Workspace?

    public init(shape: NetworkShape, seed: UInt64) {
        self.shape = shape
        layout = SiameseLayout(shape: shape)
        params = Arena(layout: layout.trainable); grads = Arena(layout: layout.trainable)
        target = Arena(layout: layout.target); fixed = Arena(layout: layout.fixed)
        Initialization.initialize(trainable: params, fixed: fixed, target: target, layout: layout, seed: seed)
    }

    public func workspace(batch: Int) -> Workspace {
        if let w = workspace, w.batch == batch { return w }
        let w = Workspace(network: self, batch: batch)
        workspace = w
        return w
    }

    /// θ_target ← m·θ_target + (1 − m)·θ_online over the EMA prefix (parameters only, not BN buffers).
    public func emaUpdate(momentum m: Float, workers: Int = Parallel.defaultWorkers) {
        EMA.update(target: target.pointer, online: params.pointer, count: layout.emaCount, momentum: m, workers: workers)
    }
}

/// Activation memory and the forward/backward passes for one batch size B.
public final class Workspace {
    /// Whether the online patch embedding runs on visible patches only (for exact FLOP counts).
    public static let embedsVisibleOnly = false
    public let batch: Int
    unowned let net: SiameseNetwork
    let S: NetworkShape
    // online
    let cols: FloatBuffer, tokens: FloatBuffer
    public let visible: Int32Buffer
    public let backbone: BlockStack, projector: BlockStack, decoder: BlockStack
    public let relPE: FloatBuffer          // [B·N, 2D], filled by the caller before `onlineForward`
    let posOut: FloatBuffer, predIn: FloatBuffer
    public let prediction: FloatBuffer     // P [B·N, Pd]; Pd = D (feature target) or p²·C (pixel target)
    // target
    public let targetBackbone: BlockStack, targetProjector: BlockStack
    public let targetCols: FloatBuffer, targetTokens: FloatBuffer
    public let targetRaw: FloatBuffer      // Z [B·N, D]
    public let targetNorm: FloatBuffer     // T = LN(Z) no affine, eps 1e-5
    let tMean: FloatBuffer, tRstd: FloatBuffer
    // backward
    public let dPrediction: FloatBuffer    // dL/dP [B·N, Pd], set by the loss
    let dPredIn: FloatBuffer, dA: FloatBuffer, dB: FloatBuffer, dPos: FloatBuffer, scratch: BlockScratch

    init(network: SiameseNetwork, batch B: Int) {
        net = network; S = network.shape; batch = B
        let N = S.patches, D = S.dim, m = S.model, Pd = S.predictionDim
        // LN in the projector/decoder (Table 3 ablation) is `util.misc.LayerNorm`: eps 1e-6, affine, no running stats.
        let projNorm: BlockNorm = m.projectorBatchNorm ? .batch(eps: 1e-5) : .layer(eps: 1e-6)
        let decNorm: BlockNorm = m.decoderBatchNorm ? .batch(eps: 1e-5) : .layer(eps: 1e-6)
        cols = FloatBuffer(count: B * N * S.patchDim); tokens = FloatBuffer(count: B * N * D)
        visible = Int32Buffer(count: B * S.visible)
        backbone = BlockStack(prefix: "blocks", depth: m.depth, norm: .layer(eps: 1e-6), batch: B, tokens: S.onlineTokens,
                              shape: S, heads: m.heads, params: network.params, grads: network.grads, fixed: network.fixed,
                              runningPrefix: nil)
        projector = BlockStack(prefix: "projector_decoder_blocks", depth: m.projectorDepth, norm: projNorm, batch: B,
                               tokens: S.onlineTokens, shape: S, heads: m.decoderHeads, params: network.params,
                               grads: network.grads, fixed: network.fixed,
                               runningPrefix: m.projectorBatchNorm ? "projector_decoder_blocks" : nil)
        decoder = BlockStack(prefix: "predictor_decoder_blocks", depth: m.decoderDepth, norm: decNorm, batch: B,
                             tokens: S.decoderTokens, shape: S, heads: m.decoderHeads, params: network.params,
                             grads: network.grads, fixed: network.fixed,
                             runningPrefix: m.decoderBatchNorm ? "predictor_decoder_blocks" : nil)
        relPE = FloatBuffer(count: B * N * 2 * D); posOut = FloatBuffer(count: B * N * D)
        predIn = FloatBuffer(count: B * N * D); prediction = FloatBuffer(count: B * N * Pd)
        targetBackbone = BlockStack(prefix: "mm_blocks", depth: m.depth, norm: .layer(eps: 1e-6), batch: B,
                                    tokens: S.targetTokens, shape: S, heads: m.heads, params: network.target, grads: nil,
                                    fixed: network.fixed, runningPrefix: nil, storeActivations: false)
        targetProjector = BlockStack(prefix: "mm_projector_decoder_blocks", depth: m.projectorDepth, norm: projNorm,
                                     batch: B, tokens: S.targetTokens, shape: S, heads: m.decoderHeads, params: network.target,
                                     grads: nil, fixed: network.fixed,
                                     runningPrefix: m.projectorBatchNorm ? "mm_projector_decoder_blocks" : nil,
                                     storeActivations: false)
        targetCols = FloatBuffer(count: B * N * S.patchDim); targetTokens = FloatBuffer(count: B * N * D)
        targetRaw = FloatBuffer(count: B * N * D); targetNorm = FloatBuffer(count: B * N * D)
        tMean = FloatBuffer(count: B * N); tRstd = FloatBuffer(count: B * N)
        let maxRows = B * S.decoderTokens
        dPrediction = FloatBuffer(count: B * N * Pd); dPredIn = FloatBuffer(count: B * N * D)
        dA = FloatBuffer(count: maxRows * D); dB = FloatBuffer(count: maxRows * D); dPos = FloatBuffer(count: B * N * D)
        scratch = BlockScratch(rows: maxRows, dim: D, hidden: S.hidden)
    }
}

/// A tiny owned Int32 buffer (visible-token indices).
public final class Int32Buffer {
    public let pointer: UnsafeMutablePointer<Int32>
    public let count: Int
    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}
