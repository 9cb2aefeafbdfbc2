"""Times the reference's full training step (forward, EMA, target, loss, backward, clip, AdamW) in PyTorch.

    /opt/torchenv/bin/python Tests/Fixtures/reference/bench_torch.py [--preset fmnist-tiny|cifar-tiny]
        [--threads 2] [--batch 128] [--steps 10] [--mode eager|autocast|compile|compile-autocast] [--json]

Modes are the settings a PyTorch user would pick on a CPU: eager fp32; bf16 autocast around the step (as the
official recipe's AMP does on GPUs); torch.compile of the two forward passes (inductor), with or without autocast.
Needs torch, numpy and safetensors (e.g. `.venv-torch/bin/pip install numpy safetensors` after `make test-torch`).

The preset's shape (default fmnist-tiny: (28 px, patch 4, D=128, depth 6, heads 4, projector 2, decoder 4, mask 29) on synthetic
inputs. For BENCHMARKS.md's side-by-side rows; prints images/s, ms/step and peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixture_io import MASK_COUNT, PRESETS, random_batch   # noqa: E402
from siamim_reference import SiameseIMReference, make_optimizer, train_step   # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fmnist-tiny", choices=["fmnist-tiny", "cifar-tiny"])
    ap.add_argument("--json", action="store_true", help="one JSON object instead of two text lines")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--mode", default="eager", choices=["eager", "autocast", "compile", "compile-autocast"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)   # no deterministic mode here: it would not change the speed on CPU
    torch.manual_seed(0)
    cfg = PRESETS[args.preset]
    model = SiameseIMReference(cfg)
    batch = random_batch(cfg, args.batch, MASK_COUNT[args.preset], torch.Generator().manual_seed(1))
    opt = make_optimizer(model)
    if args.mode.startswith("compile"):
        # The step calls these two: compiling them compiles the forward passes and, through AOT autograd, their backward.
        model.forward_online = torch.compile(model.forward_online)
        model.forward_target = torch.compile(model.forward_target)
    amp = args.mode.endswith("autocast")

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
            return train_step(model, opt, batch, 1e-3, 0.995)

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        r = step()
    dt = (time.perf_counter() - t0) / args.steps
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux reports KiB
    if args.json:
        print(json.dumps({"torch": torch.__version__, "mode": args.mode, "preset": args.preset, "batch": args.batch, "threads": args.threads,
                          "images_per_s": round(args.batch / dt, 1), "ms_per_step": round(1000 * dt, 1),
                          "peak_rss_mb": round(rss_mib), "load": round(os.getloadavg()[0], 2)}))
        return
    print(f"torch {torch.__version__} {args.mode}, {args.threads} threads, {args.preset} B={args.batch}, {args.steps} steps "
          f"(+{args.warmup} warm-up), load avg {os.getloadavg()[0]:.2f}")
    print(f"{1000 * dt:.1f} ms/step, {args.batch / dt:.1f} images/s, peak RSS {rss_mib:.0f} MiB, last loss {r.loss:.4f}")


if __name__ == "__main__":
    main()
