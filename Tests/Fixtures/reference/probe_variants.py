"""Readings of probe-v1's linear probe (docs/probe-v1.md) on saved features: which reading, if any, moves a
random-init encoder onto the single-draw reference.

    /opt/torchenv/bin/python Tests/Fixtures/reference/probe_variants.py probe FEATURES.safetensors [--kind encoder]
    /opt/torchenv/bin/python Tests/Fixtures/reference/probe_variants.py features WEIGHTS.safetensors OUT.safetensors
    /opt/torchenv/bin/python Tests/Fixtures/reference/probe_variants.py lr-sweep FEATURES.safetensors [--kind K]

FEATURES is a `siamon probe ... --save-features FEATURES` file (tensors K.{train,test}.{features,labels}).
- probe: the linear probe of section 6 (standardise with the train mean/std + 1e-6, softmax regression, Adam lr 1e-3,
  batch 256, 30 epochs, no weight decay) under each reading of the text that the text leaves open, one change at a
  time from siamon's reading ("siamon"): zero vs nn.Linear init, population vs unbiased std, drop_last, siamon's
  SeededRNG Fisher-Yates vs torch.randperm shuffles, float32 vs float64, plus diagnostics that are NOT readings
  (best epoch on the test set, the converged optimum by L-BFGS and by 300 Adam epochs).
  "siamon" re-implements siamon's exact shuffle (xoshiro256** + Fisher-Yates), so it should equal `siamon probe`.
- features: the encoder features of WEIGHTS (official names, e.g. init_check.py save) computed here, in PyTorch, in
  several forms (DIAGNOSTICS only, section 6 fixes the first): mean of patch tokens (probe-v1, kind mean), cls token
  (cls), both after a final LayerNorm (weight 1, bias 0, eps 1e-6, as at init: mean_norm, cls_norm), and the patch
  mean with other input normalisations (mean_01: x/255 only; mean_imagenet: (x/255 - 0.485)/0.229).
- lr-sweep: NOT a reading (lr is fixed at 1e-3): the 30-epoch probe at other learning rates, to measure how much
  faster an optimisation would have to be to land on the reference.
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

M64 = (1 << 64) - 1


class SeededRNG:
    """siamon's Tensor/RNG.swift: SplitMix64 seeding xoshiro256**."""

    def __init__(self, seed: int):
        z = seed & M64
        s = []
        for _ in range(4):
            z = (z + 0x9E3779B97F4A7C15) & M64
            x = z
            x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
            x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
            s.append(x ^ (x >> 31))
        self.s = s

    def next(self) -> int:
        s0, s1, s2, s3 = self.s
        r = (s1 * 5) & M64
        r = (((r << 7) | (r >> 57)) & M64) * 9 & M64
        t = (s1 << 17) & M64
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return r

    def shuffle(self, a: list) -> None:
        """SoftmaxRegression.shuffle: Fisher-Yates from the end, j = int(0, i) = next() % (i + 1)."""
        for i in range(len(a) - 1, 0, -1):
            j = self.next() % (i + 1)
            a[i], a[j] = a[j], a[i]


def standardise(xtr, xte, unbiased: bool):
    mean = xtr.double().mean(0)
    std = xtr.double().std(0, unbiased=unbiased)
    mean, std = mean.to(xtr.dtype), std.to(xtr.dtype)
    return (xtr - mean) / (std + 1e-6), (xte - mean) / (std + 1e-6)


def orders(n: int, epochs: int, seed: int, kind: str):
    if kind == "siamon":
        rng, order = SeededRNG(seed), list(range(n))
        for _ in range(epochs):
            rng.shuffle(order)
            yield torch.tensor(order)
    else:
        g = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            yield torch.randperm(n, generator=g)


def linear_probe(xtr, ytr, xte, yte, *, init="zero", unbiased=False, drop_last=False, shuffle="siamon",
                 dtype=torch.float32, epochs=30, seed=0, lr=1e-3, batch=256):
    """Returns (test top-1 after the last epoch, best test top-1 over epochs, its epoch, final train loss)."""
    xtr, xte = standardise(xtr.to(dtype), xte.to(dtype), unbiased)
    d, c = xtr.shape[1], int(ytr.max()) + 1
    torch.manual_seed(seed)
    layer = torch.nn.Linear(d, c).to(dtype)
    if init == "zero":
        torch.nn.init.zeros_(layer.weight); torch.nn.init.zeros_(layer.bias)
    opt = torch.optim.Adam(layer.parameters(), lr=lr)
    n, accs, loss_sum = xtr.shape[0], [], 0.0
    for order in orders(n, epochs, seed, shuffle):
        loss_sum = 0.0
        stop = n - n % batch if drop_last else n
        for s in range(0, stop, batch):
            idx = order[s:s + batch]
            loss = F.cross_entropy(layer(xtr[idx]), ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
            loss_sum += loss.item() * len(idx)
        with torch.no_grad():
            accs.append(100.0 * (layer(xte).argmax(1) == yte).double().mean().item())
    best = max(range(len(accs)), key=lambda i: accs[i])
    linear_probe.accs = accs   # per-epoch test top-1, for the long-run diagnostic
    return accs[-1], accs[best], best + 1, loss_sum / n


def knn(xtr, ytr, xte, yte, k: int = 20, temperature: float = 0.07, chunk: int = 1000) -> float:
    """Section 6's kNN: cosine top-k, votes exp(sim / T); test top-1 %."""
    xtr, xte = F.normalize(xtr.float(), dim=1), F.normalize(xte.float(), dim=1)
    c, hits = int(ytr.max()) + 1, 0
    for s in range(0, xte.shape[0], chunk):
        sim, nn_idx = (xte[s:s + chunk] @ xtr.T).topk(k, dim=1)
        votes = torch.zeros(sim.shape[0], c).scatter_add_(1, ytr[nn_idx], (sim / temperature).exp())
        hits += (votes.argmax(1) == yte[s:s + chunk]).sum().item()
    return 100.0 * hits / xte.shape[0]


def converged(xtr, ytr, xte, yte, iters: int = 500):
    """The unregularised optimum of the same objective (float64 full-batch L-BFGS, zero start)."""
    xtr, xte = standardise(xtr.double(), xte.double(), False)
    d, c = xtr.shape[1], int(ytr.max()) + 1
    w = torch.zeros(d + 1, c, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w], lr=1, max_iter=iters, tolerance_grad=1e-9, tolerance_change=1e-12,
                            history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(xtr @ w[:d] + w[d], ytr)
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        loss = F.cross_entropy(xtr @ w[:d] + w[d], ytr).item()
        acc = 100.0 * ((xte @ w[:d] + w[d]).argmax(1) == yte).double().mean().item()
    return acc, loss


def load_kind(path: str, kind: str):
    from fixture_io import load
    t = load(path)
    return (t[f"{kind}.train.features"].float(), t[f"{kind}.train.labels"].long(),
            t[f"{kind}.test.features"].float(), t[f"{kind}.test.labels"].long())


VARIANTS = [  # (name, kwargs) one change from siamon's reading each
    ("siamon", {}),
    ("nn.Linear init", {"init": "torch"}),
    ("unbiased std", {"unbiased": True}),
    ("drop_last", {"drop_last": True}),
    ("randperm", {"shuffle": "randperm"}),
    ("float64", {"dtype": torch.float64}),
    ("all torch defaults", {"init": "torch", "unbiased": True, "shuffle": "randperm"}),
]


def probe(path: str, kind: str, seeds: int, extra: bool) -> int:
    xtr, ytr, xte, yte = load_kind(path, kind)
    print(f"{path} [{kind}] train {tuple(xtr.shape)} test {tuple(xte.shape)}", flush=True)
    print(f"KNN {kind} | {knn(xtr, ytr, xte, yte):.2f}", flush=True)
    for name, kw in VARIANTS:
        for s in range(seeds):
            t0 = time.time()
            last, best, epoch, loss = linear_probe(xtr, ytr, xte, yte, seed=s, **kw)
            print(f"RESULT {kind} | {name} | seed {s} | linear {last:.2f} | best {best:.2f} @ epoch {epoch} | "
                  f"train loss {loss:.4f} | {time.time() - t0:.1f} s", flush=True)
    if extra:
        last, best, epoch, loss = linear_probe(xtr, ytr, xte, yte, epochs=300)
        print(f"RESULT {kind} | Adam 300 epochs | seed 0 | linear {last:.2f} | best {best:.2f} @ epoch {epoch} | "
              f"train loss {loss:.4f}", flush=True)
        accs = linear_probe.accs
        first = next((i + 1 for i, a in enumerate(accs) if a >= 76.05), None)
        print(f"CURVE {kind} | " + " ".join(f"ep{e} {accs[e - 1]:.2f}" for e in (10, 30, 45, 60, 100, 150, 200, 300))
              + f" | first epoch >= 76.05: {first}", flush=True)
        acc, loss = converged(xtr, ytr, xte, yte)
        print(f"RESULT {kind} | L-BFGS optimum | - | linear {acc:.2f} | train loss {loss:.4f}", flush=True)
    return 0


def lr_sweep(path: str, kind: str, lrs: list[float]) -> int:
    """NOT a reading (section 6 fixes lr 1e-3): how fast the 30-epoch probe must optimise to reach the reference."""
    xtr, ytr, xte, yte = load_kind(path, kind)
    for lr in lrs:
        last, best, epoch, loss = linear_probe(xtr, ytr, xte, yte, lr=lr)
        print(f"RESULT {kind} | lr {lr:g} | seed 0 | linear {last:.2f} | best {best:.2f} @ epoch {epoch} | "
              f"train loss {loss:.4f}", flush=True)
    return 0


def idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


INPUTS = {  # name: (mean, std) on /255 pixels; "" = the preset's (docs/method.md section 12), the others diagnostics
    "": (0.286, 0.353),
    "_01": (0.0, 1.0),             # ToTensor only, no Normalize
    "_imagenet": (0.485, 0.229),   # the official DataAugmentationForSIM's constants (first channel)
}


def encode(model, x: torch.Tensor):
    """Token outputs of all blocks, no final norm: [B, 1 + N, D] (cls first)."""
    b = x.shape[0]
    tok = model.patch_embed(x) + model.pos_embed[:, 1:, :]
    cls = model.cls_token.expand(b, -1, -1) + model.pos_embed[:, :1, :]
    h = torch.cat([cls, tok], 1)
    for blk in model.blocks:
        h = blk(h)
    return h


def features(weights: str, out: str, root: str, only_preset: bool, chunk: int = 500) -> int:
    from fixture_io import PRESETS, load, save_f32
    from init_check import official_model
    model = official_model(PRESETS["fmnist-tiny"], 0)
    model.load_state_dict(load(weights))
    model.eval()
    tensors = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = torch.from_numpy(idx(f"{root}/{prefix}-images-idx3-ubyte.gz").copy()).float()
        labels = torch.from_numpy(idx(f"{root}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
        kinds = {}
        with torch.no_grad():
            for s in range(0, images.shape[0], chunk):
                for suffix, (mu, sd) in list(INPUTS.items())[:1 if only_preset else None]:
                    h = encode(model, ((images[s:s + chunk] / 255 - mu) / sd)[:, None])
                    kinds.setdefault("mean" + suffix, []).append(h[:, 1:].mean(1))
                    if suffix:
                        continue
                    hn = F.layer_norm(h, (h.shape[-1],), eps=1e-6)
                    kinds.setdefault("cls", []).append(h[:, 0])
                    kinds.setdefault("mean_norm", []).append(hn[:, 1:].mean(1))
                    kinds.setdefault("cls_norm", []).append(hn[:, 0])
        for k, v in kinds.items():
            tensors[f"{k}.{split}.features"] = torch.cat(v)
            tensors[f"{k}.{split}.labels"] = labels.float()   # save_f32 writes F32; both readers accept it
        print(f"{split}: {images.shape[0]} images", flush=True)
    save_f32(out, tensors, {"format": "probe_variants-features", "weights": weights})
    print(f"wrote {out} (kinds {', '.join(kinds)})")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probe")
    p.add_argument("features")
    p.add_argument("--kind", default="encoder")
    p.add_argument("--seeds", type=int, default=1, help="linear-probe seeds per variant (0..N-1)")
    p.add_argument("--no-extra", action="store_true", help="skip the 300-epoch and L-BFGS diagnostics")
    w = sub.add_parser("lr-sweep")
    w.add_argument("features")
    w.add_argument("--kind", default="encoder")
    w.add_argument("--lrs", default="0.001,0.0015,0.002,0.003")
    f = sub.add_parser("features")
    f.add_argument("weights")
    f.add_argument("out")
    f.add_argument("--root", default="/usr/share/datasets/fashion-mnist")
    f.add_argument("--preset-input-only", action="store_true", help="skip the mean_01 / mean_imagenet inputs")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.cmd == "probe":
        return probe(args.features, args.kind, args.seeds, not args.no_extra)
    if args.cmd == "lr-sweep":
        return lr_sweep(args.features, args.kind, [float(v) for v in args.lrs.split(",")])
    return features(args.weights, args.out, args.root, args.preset_input_only)


if __name__ == "__main__":
    sys.exit(main())
