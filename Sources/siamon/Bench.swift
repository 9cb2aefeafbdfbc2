import ArgumentParser
import Foundation
import Tensor

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks: kernels (sgemm, layernorm, GELU, attention) at the fmnist-tiny shapes.")

    @Flag(help: "Time the Tensor kernels (sgemm, layernorm, GELU, attention).")
    var kernels = false

    @Option(help: "Comma-separated BLAS thread counts to run at, e.g. 1,2.")
    var threads = "1,2"

    @Flag(help: "Shorter measurements and fewer shapes (about 10× faster, noisier).")
    var quick = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard kernels else { throw ValidationError("choose what to benchmark: siamon bench --kernels") }
        guard !threadCounts.isEmpty else {
            throw ValidationError("--threads '\(threads)' is not a comma-separated list of positive integers, e.g. 1,2")
        }
    }

    var threadCounts: [Int] {
        let parts = threads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return [] }
        return parts.compactMap { $0 }
    }

    func run() throws {
        BlasSetup.reexecIfNeeded()
        let warning = BlasSetup.selfCheck()
        let rows = KernelBench.run(threads: threadCounts, quick: quick)
        if json {
            struct Report: Encodable { let core: String; let selfCheck: String; let rows: [KernelBenchRow] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(core: Blas.coreName, selfCheck: warning ?? "ok", rows: rows)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let environment = ProcessInfo.processInfo.environment
        let setBy = environment[BlasSetup.reexecMarker] == nil ? "" : ", set by siamon"
        let env = environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0)\(setBy))" } ?? ""
        print("BLAS core: \(Blas.coreName)\(env); sgemm self-check: \(warning == nil ? "ok" : "FAILED, naive fallback")")
        print(table(rows))
    }

    func table(_ rows: [KernelBenchRow]) -> String {
        let header = ["kernel", "shape", "threads", "rate", "unit", "ms"]
        let cells = rows.map { [$0.name, $0.shape, "\($0.threads)", String(format: $0.rate < 10 ? "%.3f" : "%.1f", $0.rate), $0.unit,
                                String(format: "%.3f", $0.milliseconds)] }
        let widths = header.indices.map { c in ([header] + cells).map { $0[c].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - r[c].count)
                return c >= 2 ? pad + r[c] : r[c] + pad  // numbers right-aligned
            }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
                + cells.map(line)).joined(separator: "\n")
    }
}
