#!/usr/bin/env python3
"""The speed table of BENCHMARKS.md in one run: siamon and the PyTorch reference side by side, same machine, same hour.

    python3 scripts/bench_table.py [--siamon .build/release/siamon] [--torch /opt/torchenv/bin/python]
                                   [--steps 5] [--presets fmnist-tiny,cifar-tiny] [--batches 64,128,256]

Prints markdown rows (images/s, ms/step, GFLOP/s, % of the sgemm peak, peak RSS). siamon runs with the
environment as it is (on an AVX-512 CPU siamon's own GEMM takes the products), once more forced onto OpenBLAS
(SIAMON_GEMM=openblas) and, when OPENBLAS_CORETYPE is set, once forced onto OpenBLAS without it (siamon then
picks OpenBLAS's AVX-512 core itself), so all rows are in one table. With bf16 in --precisions (the default) the
environment's row is repeated with train.precision=bf16 (its GEMM column reads "own bf16", and its peak is the
bf16 GEMM's, measured in the same process); a CPU without AVX512_BF16 refuses that run, and the row is left out.
Standard library only; the torch rows are skipped when the interpreter is missing.
"""
import argparse
import json
import os
import subprocess
import sys


def run_json(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        sys.stderr.write(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr}\n")
        return []
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--siamon", default=".build/release/siamon")
    ap.add_argument("--torch", default="/opt/torchenv/bin/python")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--presets", default="fmnist-tiny,cifar-tiny")
    ap.add_argument("--batches", default="64,128,256")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--precisions", default="fp32,bf16")
    args = ap.parse_args()
    env = dict(os.environ)
    precisions = args.precisions.split(",")
    envs = [("env", env, p) for p in precisions if p != "fp32"]
    if "fp32" in precisions:
        envs = [("env", env, "fp32")] + envs + [("openblas", dict(env, SIAMON_GEMM="openblas"), "fp32")]
        if env.get("OPENBLAS_CORETYPE"):
            unset = {k: v for k, v in env.items() if k != "OPENBLAS_CORETYPE"}
            envs.append(("auto", dict(unset, SIAMON_GEMM="openblas"), "fp32"))
    print("| who | BLAS core | GEMM | preset | B | threads | images/s | ms/step | GFLOP/s | % of GEMM peak (peak) | peak RSS MiB | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for preset in args.presets.split(","):
        for label, e, precision in envs:
            rows = run_json([args.siamon, "bench", "--preset", preset, "--batch", args.batches, "--threads", args.threads,
                             "--steps", str(args.steps), "--set", f"train.precision={precision}", "--json"], e)
            for r in rows:
                bf16 = r.get("precision") == "bf16"
                gemm = "own bf16" if bf16 else r.get("gemm", "openblas")
                peak = r.get("bf16_peak_gflops", float("nan")) if bf16 else r["sgemm_peak_gflops"]
                print(f"| siamon | {r['blas_core']} | {gemm} | {preset} | {r['batch']} | {r['threads']} | **{r['images_per_s']:.1f}** | "
                      f"{r['ms_per_step']:.1f} | {r['gflops']:.1f} | {100 * r['fraction_of_peak']:.0f}% "
                      f"({peak:.0f}) | {r['peak_rss_mb']:.0f} | {r['load_average']:.2f} |", flush=True)
        if os.path.exists(args.torch):
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "reference",
                                  "bench_torch.py")
            for b in args.batches.split(","):
                for t in args.threads.split(","):
                    for r in run_json([args.torch, script, "--preset", preset, "--batch", b, "--threads", t,
                                       "--steps", str(max(args.steps, 5)), "--json"], env):
                        print(f"| PyTorch {r['torch']} | (MKL/oneDNN) | | {preset} | {r['batch']} | {r['threads']} | "
                              f"**{r['images_per_s']:.1f}** | {r['ms_per_step']:.1f} | — | — | {r['peak_rss_mb']} | "
                              f"{r['load']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
