import ArgumentParser
import Foundation
import SiamTrain
import Tensor

/// `siamon bench`: the full training step (default) or the Tensor kernels (`--kernels`).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: the full training step of a preset (default), or the Tensor kernels (--kernels).",
        discussion: """
            siamon bench --preset fmnist-tiny --batch 128 --threads 2 [--steps 5] [--profile] [--json] \
            times warm steps (after 2 warm-up steps) of forward, EMA, target, loss, backward, clip and AdamW on \
            synthetic inputs; a second line times the data pipeline alone. GFLOP/s counts the step's GEMM FLOPs \
            (see StepFlops); the sgemm peak is measured in the same run. Lists (--batch 64,128 --threads 1,2) \
            run every combination, each in its own process (peak RSS is per process); with --json each prints \
            one JSON object per line. The sgemm peak is the faster of OpenBLAS and siamon's own AVX-512 GEMM \
            when the step uses the latter (the default on CPUs with AVX-512); SIAMON_GEMM=openblas|own forces a \
            side for A/B runs.
            """)

    @OptionGroup var config: ConfigOptions

    @Flag(help: "Time the Tensor kernels (sgemm, layernorm, GELU, attention) instead of the training step.")
    var kernels = false

    @Option(help: "Comma-separated batch sizes (default: the preset's).")
    var batch: String?

    @Option(help: "Comma-separated BLAS/worker thread counts, e.g. 1,2 (default: the preset's; 1,2 for --kernels).")
    var threads: String?

    @Option(help: "Timed steps after the 2 warm-up steps.")
    var steps = 5

    @Flag(help: "Also print where the step's time goes, per kernel class and phase.")
    var profile = false

    @Flag(help: "Shorter kernel measurements (--kernels only; about 10× faster, noisier).")
    var quick = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// Set on the per-configuration child processes (see `run`), which then skip the header line.
    @Flag(help: .hidden)
    var child = false

    func validate() throws {
        if let threads, Self.positiveList(threads) == nil {
            throw ValidationError("--threads '\(threads)' is not a comma-separated list of positive integers, e.g. 1,2")
        }
        if let batch, Self.positiveList(batch) == nil {
            throw ValidationError("--batch '\(batch)' is not a comma-separated list of positive integers, e.g. 64,128")
        }
        guard steps >= 1 && steps <= 1000 else { throw ValidationError("--steps \(steps) must be in 1...1000") }
    }

    static func positiveList(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.compactMap { $0 }
    }

    func run() throws {
        BlasSetup.reexecIfNeeded()
        let warning = BlasSetup.selfCheck()
        if let advice = BlasSetup.slowCoreAdvice() { FileHandle.standardError.write(Data((advice + "\n").utf8)) }
        if kernels { return try runKernels(warning: warning) }
        if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let c = try config.load()
        if let line = GemmPrecision.refusal(c.train.gemmPrecision) { throw CLIError(line) }
        let batches = batch.flatMap(Self.positiveList) ?? [c.train.batchSize]
        let threadCounts = threads.flatMap(Self.positiveList) ?? [c.train.threads]
        for b in batches { try MemoryCheck.require(c, batch: b, what: "bench --batch \(b)") }
        if !json && !child {
            print(header())
            for b in batches { print("memory at batch \(b): needs about \(MemoryEstimate(config: c, batch: b).text(batch: b))") }
        }
        if batches.count * threadCounts.count > 1 {
            // Peak RSS is a per-process high-water mark, so each configuration runs in its own process.
            for t in threadCounts { for b in batches { try runChild(batch: b, threads: t) } }
            return
        }
        for t in threadCounts {
            for b in batches {
                let (r, table) = StepBench.run(config: c, preset: config.preset, batch: b, threads: t, steps: steps,
                                               profile: profile)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(r), as: UTF8.self))
                } else {
                    print(BenchReport.lines(r))
                }
                if let table { print(BenchReport.profileTable(table, msPerStep: r.msPerStep, cpuMsPerStep: r.cpuMsPerStep)) }
            }
        }
    }

    func runChild(batch b: Int, threads t: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        var args = ["bench", "--child", "--preset", config.preset, "--batch", "\(b)", "--threads", "\(t)", "--steps", "\(steps)"]
        args += config.overrides.flatMap { ["--set", $0] }
        if profile { args.append("--profile") }
        if json { args.append("--json") }
        process.arguments = args
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("bench for --batch \(b) --threads \(t) exited with status \(process.terminationStatus)")
        }
    }

    func header() -> String {
        let environment = ProcessInfo.processInfo.environment
        let setBySiamon = (environment[BlasSetup.reexecMarker] ?? "").split(separator: ",").contains("OPENBLAS_CORETYPE")
        let env = environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0)\(setBySiamon ? ", set by siamon" : ""))" } ?? ""
        let gemm = OwnGemm.path == .own ? "; GEMM: siamon's own AVX-512 kernel" : "; GEMM: OpenBLAS"
        let bf16 = OwnGemm.bf16Usable ? "; bf16 GEMM: yes (AVX512_BF16)" : "; bf16 GEMM: no (this CPU lacks AVX512_BF16)"
        return "BLAS core: \(Blas.coreName)\(env)\(gemm)\(bf16); load average \(String(format: "%.2f", StepBench.loadAverage()))"
    }

    func runKernels(warning: String?) throws {
        let rows = KernelBench.run(threads: threads.flatMap(Self.positiveList) ?? [1, 2], quick: quick)
        if json {
            struct Report: Encodable { let core: String; let selfCheck: String; let rows: [KernelBenchRow] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(core: Blas.coreName, selfCheck: warning ?? "ok", rows: rows)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        print(header() + "; sgemm self-check: \(warning == nil ? "ok" : "FAILED, naive fallback")")
        print(BenchReport.kernelTable(rows))
    }
}
