import Foundation
import Tensor

/// Text rendering of `siamon bench` results (tables with right-aligned numbers).
public enum BenchReport {
    /// The step line and the data-pipeline line of one run.
    /// The step's share is of the GEMM peak in its own precision; the bf16 peak is shown whenever it was measured.
    public static func lines(_ r: StepBenchResult) -> String {
        let bf16Step = r.precision == "bf16"
        let (peakName, peak) = bf16Step ? ("bf16 GEMM", r.bf16PeakGflops ?? .nan) : ("sgemm", r.sgemmPeakGflops)
        let step = String(format: "%@ B=%d threads=%d %@: %.1f images/s, %.1f ms/step (best %.1f, CPU %.1f), %.1f GFLOP/s "
                          + "(%.2f GFLOP/step), %.0f%% of %@ peak %.1f GFLOP/s, peak RSS %.0f MiB, load %.2f",
                          r.preset, r.batch, r.threads, r.precision, r.imagesPerSecond, r.msPerStep, r.bestMsPerStep,
                          r.cpuMsPerStep, r.gflops, r.stepGflop,
                          100 * r.fractionOfPeak, peakName, peak, r.peakRSSMB, r.loadAverage)
        var data = String(format: "  data pipeline (%@): %.1f ms/batch, %.0f images/s; sgemm peak %.1f GFLOP/s at %@",
                          r.dataSource, r.dataMsPerBatch, r.dataImagesPerSecond, r.sgemmPeakGflops, r.sgemmPeakShape)
        if let bf16 = r.bf16PeakGflops, let shape = r.bf16PeakShape {
            data += String(format: "; bf16 GEMM peak %.1f GFLOP/s (%.2f× sgemm) at %@", bf16, bf16 / r.sgemmPeakGflops, shape)
        }
        let counted = r.countedGflop.map { String(format: "\n  GEMM FLOPs counted in Blas.sgemm: %.3f GFLOP/step (table: %.3f)", $0, r.stepGflop) }
        return step + "\n" + data + (counted ?? "")
    }

    /// ms per step by kernel class (rows) and phase (columns), wall time then process CPU time, each with the
    /// untimed remainder.
    public static func profileTable(_ t: StepBench.ProfileTable, msPerStep: Double, cpuMsPerStep: Double) -> String {
        "wall time:\n" + profileTable(t.wall, msPerStep: msPerStep)
            + "\nCPU time (all threads of the process):\n" + profileTable(t.cpu, msPerStep: cpuMsPerStep)
    }

    static func profileTable(_ t: [[Double]], msPerStep: Double) -> String {
        let phases = Profile.Phase.allCases
        var cells: [[String]] = []
        var timed = 0.0
        for k in Profile.Kernel.allCases {
            let row = t[k.rawValue].map { $0 * 1e3 }
            let total = row.reduce(0, +)
            timed += total
            guard total > 0 else { continue }
            cells.append([k.label] + row.map { String(format: "%.1f", $0) }
                         + [String(format: "%.1f", total), String(format: "%.1f%%", 100 * total / msPerStep)])
        }
        let rest = msPerStep - timed
        cells.append(["untimed (memsets, glue)"] + phases.map { _ in "" }
                     + [String(format: "%.1f", rest), String(format: "%.1f%%", 100 * rest / msPerStep)])
        let phaseTotals = phases.map { p in Profile.Kernel.allCases.reduce(0) { $0 + t[$1.rawValue][p.rawValue] } * 1e3 }
        cells.append(["total"] + phaseTotals.map { String(format: "%.1f", $0) }
                     + [String(format: "%.1f", msPerStep), "100%"])
        return table(header: ["kernel (ms/step)"] + phases.map(\.label) + ["total", "share"], cells: cells)
    }

    public static func kernelTable(_ rows: [KernelBenchRow]) -> String {
        table(header: ["kernel", "shape", "threads", "rate", "unit", "ms"], cells: rows.map {
            [$0.name, $0.shape, "\($0.threads)", String(format: $0.rate < 10 ? "%.3f" : "%.1f", $0.rate), $0.unit,
             String(format: "%.3f", $0.milliseconds)]
        }, leftColumns: 2)
    }

    static func table(header: [String], cells: [[String]], leftColumns: Int = 1) -> String {
        let widths = header.indices.map { c in ([header] + cells).map { $0[c].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - r[c].count)
                return c >= leftColumns ? pad + r[c] : r[c] + pad   // numbers right-aligned
            }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
                + cells.map(line)).joined(separator: "\n")
    }
}
