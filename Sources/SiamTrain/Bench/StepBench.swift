import Foundation
import Tensor
import ViT

/// The result of `siamon bench --preset P`. Snake-case JSON keys; the first six are stable (scripts/bench_table.py
/// and the BENCHMARKS.md tables read them), the rest are extras.
public struct StepBenchResult: Codable, Sendable {
    public var imagesPerSecond: Double
    public var msPerStep: Double
    /// The fastest single timed step: under a shared machine's load it varies less than the mean.
    public var bestMsPerStep: Double
    /// CPU seconds (user + system, all threads) per step: on a shared machine a steadier measure of work than
    /// wall time (it includes OpenBLAS threads' spin-waiting).
    public var cpuMsPerStep: Double
    public var gflops: Double
    /// The fastest fp32 GEMM at the step's dominant shapes, measured in the same run.
    public var sgemmPeakGflops: Double
    public var peakRSSMB: Double
    public var blasCore: String
    /// "own" when the step's GEMMs ran on siamon's AVX-512 kernel (OwnGemm), else "openblas".
    public var gemm: String
    public var preset: String
    public var batch: Int
    public var threads: Int
    public var steps: Int
    public var stepGflop: Double
    /// Step GFLOP/s over the GEMM peak of the step's own precision (the bf16 peak when precision is bf16).
    public var fractionOfPeak: Double
    public var sgemmPeakShape: String
    public var dataMsPerBatch: Double
    public var dataImagesPerSecond: Double
    public var dataSource: String
    public var loadAverage: Double
    /// With --profile: the GEMM FLOPs per step counted inside `Blas.sgemm` (a check on `stepGflop`), else nil.
    public var countedGflop: Double?
    /// train.precision of the timed step: "fp32" or "bf16".
    public var precision: String
    /// The bf16 GEMM's peak at the same shapes in the same run; nil where the CPU has no AVX512_BF16.
    public var bf16PeakGflops: Double?
    public var bf16PeakShape: String?

    enum CodingKeys: String, CodingKey {
        case imagesPerSecond = "images_per_s", msPerStep = "ms_per_step", bestMsPerStep = "best_ms_per_step", cpuMsPerStep = "cpu_ms_per_step",
             gflops, sgemmPeakGflops = "sgemm_peak_gflops"
        case peakRSSMB = "peak_rss_mb", blasCore = "blas_core", preset, batch, threads, steps
        case stepGflop = "step_gflop", fractionOfPeak = "fraction_of_peak", sgemmPeakShape = "sgemm_peak_shape"
        case dataMsPerBatch = "data_ms_per_batch", dataImagesPerSecond = "data_images_per_s", dataSource = "data_source"
        case loadAverage = "load_average", countedGflop = "counted_gflop", gemm, precision
        case bf16PeakGflops = "bf16_peak_gflops", bf16PeakShape = "bf16_peak_shape"
    }
}

/// Times the full training step (forward, EMA, target, loss, backward, clip, AdamW) on synthetic inputs,
/// the data pipeline alone, and the sgemm peak at the step's dominant shapes, all in one process.
public enum StepBench {
    /// Per-kernel seconds per step, filled when `run(profile: true)`: `wall` and `cpu` (process CPU time, all
    /// threads), each indexed [kernel][phase].
    public struct ProfileTable: Sendable {
        public let wall: [[Double]], cpu: [[Double]]
    }

    public static func run(config base: RunConfig, preset: String, batch B: Int, threads: Int, steps: Int,
                           profile: Bool) -> (StepBenchResult, ProfileTable?) {
        var config = base
        config.train.batchSize = B
        let savedThreads = Blas.threads
        Blas.threads = threads
        defer { Blas.threads = savedThreads }
        let trainer = SiameseTrainer(config: config, stepsPerEpoch: 1000)
        let batch = syntheticBatch(config: config, seed: 7)
        // Two warm-up steps build the workspace and fault in every page.
        for s in 0..<2 { _ = trainer.step(batch, step: s, lr: 1e-4, momentum: 0.995) }
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
        Profile.reset()
        if profile { Profile.start() }
        var best = Double.infinity
        for s in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = trainer.step(batch, step: 2 + s, lr: 1e-4, momentum: 0.995)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        if profile { Profile.stop() }
        let counted = profile ? Double(Profile.gemmFlops) / Double(max(steps, 1)) * 1e-9 : nil
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(max(steps, 1))
        let cpu = (cpuSeconds() - cpuStart) / Double(max(steps, 1))
        func perStep(cpu: Bool) -> [[Double]] {
            Profile.Kernel.allCases.map { k in Profile.Phase.allCases.map { Profile.seconds(k, $0, cpu: cpu) / Double(max(steps, 1)) } }
        }
        let table: ProfileTable? = profile ? ProfileTable(wall: perStep(cpu: false), cpu: perStep(cpu: true)) : nil
        // RSS before the data pipeline and the sgemm probe, so it is the training step's own high-water mark.
        let rss = peakRSSMB()
        let flops = config.stepFlops(batch: B).total
        let data = timeDataPipeline(config: config, batches: 3)
        let peak = sgemmPeak(shape: config.networkShape, batch: B, repeats: 5)
        let bf16 = OwnGemm.bf16Usable ? sgemmPeak(shape: config.networkShape, batch: B, repeats: 5, precision: .bf16) : nil
        let stepPeak = config.train.gemmPrecision == .bf16 ? bf16?.gflops ?? .nan : peak.gflops
        let result = StepBenchResult(
            imagesPerSecond: Double(B) / seconds, msPerStep: seconds * 1e3, bestMsPerStep: best * 1e3, cpuMsPerStep: cpu * 1e3, gflops: flops / seconds * 1e-9,
            sgemmPeakGflops: peak.gflops, peakRSSMB: rss, blasCore: Blas.coreName, gemm: OwnGemm.path.rawValue, preset: preset, batch: B,
            threads: threads, steps: steps, stepGflop: flops * 1e-9, fractionOfPeak: flops / seconds * 1e-9 / stepPeak,
            sgemmPeakShape: peak.shape, dataMsPerBatch: data.seconds * 1e3,
            dataImagesPerSecond: Double(B) / data.seconds, dataSource: data.source, loadAverage: loadAverage(),
            countedGflop: counted, precision: config.train.precision, bf16PeakGflops: bf16?.gflops,
            bf16PeakShape: bf16?.shape)
        return (result, table)
    }

    /// A batch of standard-normal images (as after normalisation), exact-count random masks and varied
    /// crop geometry (scales in [0.5, 2], offsets in [−0.5, 0.5], half the samples flipped).
    public static func syntheticBatch(config: RunConfig, seed: UInt64) -> Batch {
        let S = config.networkShape, B = config.train.batchSize
        let batch = Batch(size: B, channels: S.channels, imageSize: S.imageSize, patches: S.patches)
        var rng = SeededRNG(seed: seed)
        for i in 0..<batch.x1.count { batch.x1[i] = Float(rng.normal()); batch.x2[i] = Float(rng.normal()) }
        let masks = RandomMaskGenerator(grid: S.grid, count: S.maskCount)
        batch.mask = (0..<B).flatMap { _ in masks.generate(&rng) }
        batch.geometry = (0..<B).map { b in
            ViewGeometry(deltaI: Float(rng.uniform(-0.5, 0.5)), deltaJ: Float(rng.uniform(-0.5, 0.5)),
                         deltaH: Float(rng.uniform(0.5, 2)), deltaW: Float(rng.uniform(0.5, 2)),
                         relativeFlip: b % 2 == 1, flipDeltaJ: Float(rng.uniform(-0.5, 0.5)))
        }
        return batch
    }

    /// Seconds per `BatchBuilder.build(step:)` on the preset's data source, or the synthetic source when the
    /// preset's data is not available here (best of `batches` after one warm-up build).
    public static func timeDataPipeline(config: RunConfig, batches: Int) -> (seconds: Double, source: String) {
        var c = config
        var source = try? DataSources.make(c.data, split: .train)
        if source == nil {
            c.data.source = "synthetic"; c.data.path = nil
            source = try? DataSources.make(c.data, split: .train)
        }
        guard let source, let builder = try? BatchBuilder(source: source, config: c) else { return (.nan, "none") }
        _ = builder.build(step: 0)
        var best = Double.infinity
        for s in 1...max(batches, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = builder.build(step: s)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        return (best, source.name)
    }

    /// The best sgemm rate at the step's dominant shapes (the decoder MLP's X·Wᵀ for fc1 and fc2 and its
    /// dW = dYᵀ·X), with the BLAS threads currently set; best of `repeats` calls each. Both GEMMs are timed
    /// when the step uses siamon's own (OwnGemm), and the faster one is the peak, so the step's share of the
    /// peak is never flattered by a slow reference. With `precision: .bf16` it is the bf16 kernel's peak instead.
    public static func sgemmPeak(shape S: NetworkShape, batch B: Int, repeats: Int,
                                 precision: GemmPrecision = .fp32) -> (gflops: Double, shape: String) {
        let R = B * S.decoderTokens, D = S.dim, Hd = S.hidden
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("fc1 X·Wᵀ", R, Hd, D, false, true), ("fc2 X·Wᵀ", R, D, Hd, false, true), ("fc1 dW", Hd, D, R, true, false),
        ]
        var rng = SeededRNG(seed: 3)
        let a = FloatBuffer(count: R * Hd), b = FloatBuffer(count: R * Hd), c = FloatBuffer(count: R * Hd)
        for i in 0..<a.count { a[i] = Float(rng.uniform(-1, 1)); b[i] = Float(rng.uniform(-1, 1)) }
        let gemms: [(String, Bool)] = precision == .bf16 ? [("own bf16", true)]
            : OwnGemm.path == .own ? [("own", true), ("OpenBLAS", false)] : [("OpenBLAS", true)]
        var best = (0.0, "")
        for (label, m, n, k, tA, tB) in shapes {
            for (gemm, viaBlas) in gemms {
                for _ in 0..<max(repeats, 1) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    if viaBlas {
                        GemmPrecision.$current.withValue(precision) {
                            Blas.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, a: a.pointer, lda: tA ? m : k,
                                       b: b.pointer, ldb: tB ? k : n, c: c.pointer, ldc: n)
                        }
                    } else {
                        Blas.cblasSgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, a: a.pointer, lda: tA ? m : k,
                                        b: b.pointer, ldb: tB ? k : n, beta: 0, c: c.pointer, ldc: n)
                    }
                    let s = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                    let rate = 2 * Double(m) * Double(n) * Double(k) / s * 1e-9
                    if rate > best.0 { best = (rate, "\(label) M=\(m) N=\(n) K=\(k) (\(gemm))") }
                }
            }
        }
        return best
    }

    /// getrusage's ru_maxrss (KiB on Linux) in MiB.
    public static func peakRSSMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// User + system CPU seconds of this process so far (all threads).
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    public static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) >= 1 ? loads[0] : .nan
    }
}
