import RunCore
import Foundation
import Tensor
import ViT

/// One SiameseIM training iteration = one call of `step` (docs/method.md §7):
/// lr(t), m(t) → online forward → EMA update of the target with m(t) → target forward → UniGrad loss →
/// backward → global grad norm (logged before clipping) → clip → AdamW.
public final class SiameseTrainer {
    public let config: RunConfig
    public let network: SiameseNetwork
    public let optimizer: AdamW
    public let schedule: Schedule
    /// A user multiplier on the scheduled LR (the TUI's +/-); recorded as an event by the host.
    public var learningRateScale: Double = 1
    let correlation: FloatBuffer
    var pc: FloatBuffer?
    /// The MoCo-like / global loss (Table 3); nil for the official dense MAE-like loss, which keeps its own path.
    let variants: LossVariants?

    public init(config: RunConfig, stepsPerEpoch: Int) {
        self.config = config
        network = SiameseNetwork(shape: config.networkShape, seed: config.train.seed)
        optimizer = AdamW(layout: network.layout.trainable, config: config.optimizer, decays: SiameseLayout.decays)
        schedule = Schedule(config: config, stepsPerEpoch: stepsPerEpoch)
        correlation = FloatBuffer(count: config.model.dim * config.model.dim)
        let l = config.loss
        variants = !config.model.pixelTarget && (l.moco || l.global) ? LossVariants(config: l, dim: config.model.dim) : nil
    }

    /// Runs iteration `step` on `batch` and reports it. `lr`/`momentum` override the schedule (golden tests).
    public func step(_ batch: Batch, step: Int, lr lrOverride: Double? = nil, momentum mOverride: Double? = nil) -> StepReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let lr = lrOverride ?? schedule.learningRate(step: step) * learningRateScale
        let m = mOverride ?? schedule.emaMomentum(step: step)
        let value = forwardBackward(batch, momentum: m)
        // A non-finite loss skips the update (as AMP skips an overflowed step), so the weights stay good.
        let gradNorm = value.loss.isFinite ? applyUpdate(lr: lr) : .nan
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return StepReport(step: step, epoch: schedule.epoch(step: step), loss: value.loss, lossPos: value.pos,
                          lossNeg: value.neg, learningRate: lr, emaMomentum: m, gradNorm: gradNorm, seconds: seconds,
                          imagesPerSecond: Double(batch.size) / max(seconds, 1e-9),
                          wallTime: Date().timeIntervalSince1970)
    }

    /// Steps 2–6 of the iteration: online forward, EMA update with momentum m, target forward, loss, and
    /// backward into freshly zeroed gradients. Split from `step` so tests can inspect the raw gradients.
    /// The network's matrix products run in `train.precision`; everything else (EMA, norms, attention, and the
    /// loss with its own small products) is fp32.
    public func forwardBackward(_ batch: Batch, momentum m: Double) -> UniGradLoss.Value {
        GemmPrecision.$current.withValue(config.train.gemmPrecision) { forwardBackwardHere(batch, momentum: m) }
    }

    private func forwardBackwardHere(_ batch: Batch, momentum m: Double) -> UniGradLoss.Value {
        let ws = network.workspace(batch: batch.size)
        Profile.during(.forward) { Profile.time(.embedding) { fillRelativeEmbedding(ws, batch) } }
        ws.onlineForward(x1: batch.x1.pointer, mask: batch.mask)
        if config.model.pixelTarget {
            // MAE has no target network: no EMA update and no target forward (nothing would read them).
            ws.pixelTargetForward(x2: batch.x2.pointer, normPix: config.loss.normPix)
        } else {
            Profile.during(.update) { Profile.time(.ema) { network.emaUpdate(momentum: Float(m)) } }
            ws.targetForward(x2: batch.x2.pointer)
        }
        let value = Profile.during(.forward) {
            Profile.time(.loss) { GemmPrecision.$current.withValue(.fp32) { loss(ws, batch) } }
        }
        Profile.during(.backward) { Profile.time(.other) { network.grads.zero() } }
        ws.onlineBackward()
        return value
    }

    /// Global grad norm (returned, before clipping), clipping, then AdamW at `lr`.
    public func applyUpdate(lr: Double) -> Double {
        Profile.during(.update) {
            let gradNorm = Profile.time(.clip) { GradClip.clip(network.grads, maxNorm: config.optimizer.clipGrad) }
            Profile.time(.adamW) { optimizer.update(params: network.params, grads: network.grads, lr: Float(lr)) }
            return gradNorm
        }
    }

    func loss(_ ws: Workspace, _ batch: Batch) -> UniGradLoss.Value {
        let S = network.shape, B = batch.size, M = B * S.patches
        if config.model.pixelTarget {
            // Same view: MAE supervises the masked patches only; different views: every view-2 patch.
            return batch.mask.withUnsafeBufferPointer { mask in
                PixelLoss.forwardBackward(dPrediction: ws.dPrediction.pointer, prediction: ws.prediction.pointer,
                                          target: ws.targetPixels.pointer,
                                          rowMask: config.augment.sameView ? mask.baseAddress! : nil,
                                          rows: M, width: S.predictionDim)
            }
        }
        if let variants {
            return variants.forwardBackward(dPrediction: ws.dPrediction.pointer, prediction: ws.prediction.pointer,
                                            targetRaw: ws.targetRaw.pointer, targetNorm: ws.targetNorm.pointer,
                                            batch: B, tokens: S.patches, negWeight: Float(config.loss.negWeight))
        }
        let D = S.dim
        if pc?.count != M * D { pc = FloatBuffer(count: M * D) }
        return UniGradLoss.forwardBackward(dPrediction: ws.dPrediction.pointer, correlation: correlation.pointer,
                                           pc: pc!.pointer, prediction: ws.prediction.pointer,
                                           target: ws.targetNorm.pointer, rows: M, dim: D,
                                           negWeight: Float(config.loss.negWeight))
    }

    func fillRelativeEmbedding(_ ws: Workspace, _ batch: Batch) {
        let S = network.shape, perSample = S.patches * 2 * S.dim
        for b in 0..<batch.size {
            let g = batch.geometry[b]
            RelativeEmbedding.compute(out: ws.relPE.pointer + b * perSample, deltaI: g.deltaI, deltaJ: g.deltaJ,
                                      deltaH: g.deltaH, deltaW: g.deltaW, relativeFlip: g.relativeFlip,
                                      flipDeltaJ: g.flipDeltaJ, grid: S.grid, dim: S.dim)
        }
    }
}
