import Foundation
import Testing
import Tensor
import ViT

/// `StepFlops` is the FLOP table behind `siamon bench`'s GFLOP/s. These tests check it against the GEMMs that
/// really run (Profile counts 2·M·N·K inside `Blas.sgemm`), so the table cannot drift from the code.
@Suite(.serialized) struct PerfFlopsTests {
    static func shape(dim: Int, heads: Int, decoderHeads: Int, image: Int, channels: Int, mask: Int) -> NetworkShape {
        NetworkShape(model: ModelConfig(patchSize: 4, dim: dim, depth: 2, heads: heads, mlpRatio: 4, projectorDepth: 1,
                                        decoderDepth: 2, decoderHeads: decoderHeads),
                     imageSize: image, channels: channels, maskCount: mask)
    }

    /// Runs online forward, target forward and online backward once with GEMM counting on; returns the
    /// counted FLOPs of each pass.
    static func countedPasses(_ S: NetworkShape, batch B: Int) -> (forward: UInt64, target: UInt64, backward: UInt64) {
        let net = SiameseNetwork(shape: S, seed: 5)
        let ws = net.workspace(batch: B)
        var rng = SeededRNG(seed: 9)
        let pixels = B * S.channels * S.imageSize * S.imageSize
        let x1 = FloatBuffer((0..<pixels).map { _ in Float(rng.normal()) })
        let x2 = FloatBuffer((0..<pixels).map { _ in Float(rng.normal()) })
        var mask = [UInt8](repeating: 0, count: B * S.patches)
        for b in 0..<B { for k in 0..<S.maskCount { mask[b * S.patches + (b + k) % S.patches] = 1 } }
        for i in 0..<ws.relPE.count { ws.relPE[i] = Float(rng.normal()) }
        for i in 0..<ws.dPrediction.count { ws.dPrediction[i] = Float(rng.normal()) }
        // Counts only this thread's GEMMs and its Parallel workers' (other suites may run BLAS meanwhile).
        Profile.start()
        defer { Profile.stop() }
        ws.onlineForward(x1: x1.pointer, mask: mask)
        let forward = Profile.gemmFlops
        Profile.reset()
        if S.model.pixelTarget { ws.pixelTargetForward(x2: x2.pointer, normPix: true) } else { ws.targetForward(x2: x2.pointer) }
        let target = Profile.gemmFlops
        Profile.reset()
        ws.onlineBackward()
        let backward = Profile.gemmFlops
        return (forward, target, backward)
    }

    @Test(arguments: [(16, 2, 4, 12, 1, 5, 3), (24, 3, 2, 16, 3, 7, 2)])
    func tableMatchesTheGemmsThatRun(dim: Int, heads: Int, decoderHeads: Int, image: Int, channels: Int, mask: Int,
                                     batch: Int) {
        let S = Self.shape(dim: dim, heads: heads, decoderHeads: decoderHeads, image: image, channels: channels, mask: mask)
        let counted = Self.countedPasses(S, batch: batch)
        let table = StepFlops(shape: S, batch: batch)
        // The loss GEMMs belong to the trainer, not to these three passes.
        let loss = table.entries.filter { $0.name == "UniGrad loss" }.reduce(0) { $0 + $1.total }
        #expect(Double(counted.forward) == table.forward - loss, "online forward: counted \(counted.forward), table \(table.forward - loss)")
        #expect(Double(counted.target) == table.target, "target forward: counted \(counted.target), table \(table.target)")
        #expect(Double(counted.backward) == table.backward, "backward: counted \(counted.backward), table \(table.backward)")
    }

    /// The Table-3 variants: the pixel target runs no target branch and a p²·C-wide head; LN stacks the same GEMMs.
    @Test(arguments: [("pixel", "bn"), ("feature", "ln"), ("pixel", "ln")])
    func tableMatchesTheGemmsOfTheVariants(target: String, norm: String) {
        var S = Self.shape(dim: 16, heads: 2, decoderHeads: 4, image: 12, channels: 3, mask: 5)
        S.model.target = target; S.model.projectorNorm = norm; S.model.decoderNorm = norm
        let counted = Self.countedPasses(S, batch: 3)
        let table = StepFlops(shape: S, batch: 3)
        let loss = table.entries.filter { $0.name == "UniGrad loss" }.reduce(0) { $0 + $1.total }
        #expect(Double(counted.forward) == table.forward - loss && Double(counted.target) == table.target)
        #expect(Double(counted.backward) == table.backward)
        if target == "pixel" { #expect(table.target == 0 && loss == 0 && S.predictionDim == 48) }
    }

    /// GEMMs of other threads (other tests run in parallel) are not counted; this thread's are.
    @Test func onlyTheProfilingThreadsGemmsAreCounted() {
        let (m, n, k) = (7, 5, 3)
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n)
        Profile.start()
        defer { Profile.stop() }
        let done = DispatchSemaphore(value: 0)
        let other = Thread {
            Blas.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
            done.signal()
        }
        other.start()
        done.wait()
        #expect(Profile.gemmFlops == 0, "a GEMM on an unmarked thread was counted: \(Profile.gemmFlops)")
        Blas.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
        #expect(Profile.gemmFlops == UInt64(2 * m * n * k), "this thread's GEMM: \(Profile.gemmFlops)")
    }

    /// ≈ 0.75 GFLOP per image at the fmnist-tiny shape: an estimate made by hand, independently of this code.
    @Test func fmnistTinyIsAboutThreeQuartersOfAGigaflopPerImage() {
        let S = NetworkShape(model: ModelConfig(patchSize: 4, dim: 128, depth: 6, heads: 4, mlpRatio: 4, projectorDepth: 2,
                                                decoderDepth: 4, decoderHeads: 4),
                             imageSize: 28, channels: 1, maskCount: 29)
        let perImage = StepFlops(shape: S, batch: 128).total / 128 / 1e9
        #expect(perImage > 0.7 && perImage < 0.8, "fmnist-tiny: \(perImage) GFLOP per image")
    }
}
