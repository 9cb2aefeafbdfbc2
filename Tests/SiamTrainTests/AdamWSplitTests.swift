import Foundation
import Testing
import Tensor
@testable import SiamTrain

/// AdamW splits the arena over workers; each element's update is unchanged, so 1, 2 and 3 workers must give the
/// bits of the serial loop below (the update as it was before the split), over two steps (bias corrections) and
/// with decayed and undecayed segments meeting inside a worker's range.
@Suite struct AdamWSplitTests {
    /// The pre-split serial AdamW step, kept verbatim as the twin.
    static func serialStep(p: FloatPtr, g: ConstFloatPtr, m mp: FloatPtr, v vp: FloatPtr, step: Int, lr: Float,
                           config c: OptimizerConfig, segments: [(range: Range<Int>, decays: Bool)]) {
        let (b1, b2, e, wd) = (Float(c.beta1), Float(c.beta2), Float(c.eps), Float(c.weightDecay))
        let bc1 = 1 - pow(Double(b1), Double(step)), bc2 = 1 - pow(Double(b2), Double(step))
        let stepSize = Float(Double(lr) / bc1), bc2Root = Float(bc2.squareRoot())
        for (r, decays) in segments {
            let decay: Float = decays ? 1 - lr * wd : 1
            for i in r {
                let gi = g[i]
                let mi = b1 * mp[i] + (1 - b1) * gi, vi = b2 * vp[i] + (1 - b2) * gi * gi
                mp[i] = mi; vp[i] = vi
                p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() / bc2Root + e)
            }
        }
    }

    /// Small (one thread whatever is asked) and above `Parallel.minElementwise` with room for 3 workers.
    @Test(arguments: [[[7, 5], [5], [3, 2]], [[300, 250], [250], [40_000], [7], [131, 61]]])
    func workersReproduceTheSerialLoop(shapes: [[Int]]) {
        var layout = ParameterLayout()
        for (i, s) in shapes.enumerated() { layout.add(i % 2 == 0 ? "l\(i).weight" : "l\(i).bias", s) }
        let config = OptimizerConfig(lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.05, clipGrad: 0)
        let decays: (ParameterLayout.Entry) -> Bool = { $0.name.hasSuffix("weight") }
        let segments = layout.entries.map { (range: $0.offset..<($0.offset + $0.count), decays: decays($0)) }
        var rng = SeededRNG(seed: UInt64(layout.count))
        let p0 = (0..<layout.count).map { _ in Float(rng.normal()) }
        let grads = (0..<2).map { _ in FloatBuffer((0..<layout.count).map { _ in Float(rng.normal() * 0.1) }) }
        let (p, m, v) = (FloatBuffer(p0), FloatBuffer(count: layout.count), FloatBuffer(count: layout.count))
        for (s, g) in grads.enumerated() {
            Self.serialStep(p: p.pointer, g: g.pointer, m: m.pointer, v: v.pointer, step: s + 1, lr: 2e-3,
                            config: config, segments: segments)
        }
        for workers in [1, 2, 3] {
            let opt = AdamW(layout: layout, config: config, decays: decays)
            let params = Arena(layout: layout), gradArena = Arena(layout: layout)
            params.pointer.update(from: p0, count: layout.count)
            for g in grads {
                gradArena.pointer.update(from: g.pointer, count: layout.count)
                opt.update(params: params, grads: gradArena, lr: 2e-3, workers: workers)
            }
            #expect(params.storage.array == p.array, "\(layout.count) floats, workers \(workers): parameters")
            #expect(opt.m.storage.array == m.array && opt.v.storage.array == v.array,
                    "\(layout.count) floats, workers \(workers): moments")
        }
        #expect(p.array != p0, "the steps moved the parameters")
    }
}
