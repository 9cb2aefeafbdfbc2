"""Checks a `siamon dump-step` directory against the PyTorch reference (docs/interop.md section 2).

    /opt/torchenv/bin/python Tests/Fixtures/reference/check_dump.py DIR [--heads 4] [--decoder-heads 4]

Loads DIR/weights.safetensors (online + mm_ names), DIR/batch.safetensors and DIR/result.safetensors, infers
the model shape from the weights, runs one forward/backward (EMA update with batch `momentum` before the
target forward) and compares loss, grad_norm and every gradient (one line each; --quiet prints failures and the worst).
Error measure: |a-b|/|b| for scalars; max|a-b| / max|b| per gradient tensor (b = reference).
Exit 0 when loss <= 1e-5 and everything else <= 1e-4; 1 on a mismatch; 2 on unusable input.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixture_io import batch_from_tensors, load   # noqa: E402
from siamim_layers import RefConfig   # noqa: E402
from siamim_reference import SiameseIMReference, deterministic, forward_backward, grad_norm_and_clip   # noqa: E402

LOSS_TOL = 1e-5
TOL = 1e-4


class DumpError(Exception):
    pass


def count_blocks(weights: dict, prefix: str) -> int:
    pat = re.compile(re.escape(prefix) + r"\.(\d+)\.")
    ids = {int(m.group(1)) for k in weights if (m := pat.match(k))}
    if ids != set(range(len(ids))):
        raise DumpError(f"weights.safetensors: {prefix}.k indices {sorted(ids)} are not 0..n-1")
    return len(ids)


def infer_config(w: dict, heads: int, decoder_heads: int, neg_weight: float) -> RefConfig:
    for key in ("cls_token", "patch_embed.proj.weight", "pos_embed", "decoder_embed.weight", "blocks.0.mlp.fc1.weight"):
        if key not in w:
            raise DumpError(f"weights.safetensors: missing '{key}'; write the official state-dict names (docs/method.md section 9)")
    d, c, p, _ = w["patch_embed.proj.weight"].shape
    n = w["pos_embed"].shape[1] - 1
    grid = math.isqrt(n)
    if grid * grid != n:
        raise DumpError(f"weights.safetensors: pos_embed has {n}+1 rows, not a square grid plus cls")
    return RefConfig(image_size=grid * p, channels=c, patch_size=p, dim=d, depth=count_blocks(w, "blocks"),
                     heads=heads, mlp_ratio=w["blocks.0.mlp.fc1.weight"].shape[0] / d,
                     projector_depth=count_blocks(w, "projector_decoder_blocks"),
                     decoder_depth=count_blocks(w, "predictor_decoder_blocks"), decoder_heads=decoder_heads,
                     decoder_dim=w["decoder_embed.weight"].shape[0], neg_weight=neg_weight).validate()


def load_weights(model: SiameseIMReference, w: dict) -> None:
    state = model.state_dict()
    missing = [k for k in state if k not in w]
    if missing and all(k.startswith("mm_") for k in missing) and len(missing) == sum(k.startswith("mm_") for k in state):
        print("WARN weights.safetensors has no mm_ tensors: the target starts as a copy of the online weights")
        w = dict(w, **{k: w[k[3:]] for k in missing})
        missing = []
    extra = [k for k in w if k not in state]
    if missing or extra:
        raise DumpError(f"weights.safetensors: missing {missing[:5]}, unexpected {extra[:5]}; check the shape flags")
    for k, v in state.items():
        if tuple(w[k].shape) != tuple(v.shape):
            raise DumpError(f"weights.safetensors: '{k}' has shape {tuple(w[k].shape)}, expected {tuple(v.shape)}")
    model.load_state_dict({k: w[k].to(v.dtype) for k, v in state.items()}, strict=True)


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.double(), b.double()
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return diff / scale if scale > 0 else (0.0 if diff == 0 else math.inf)


def compare(model: SiameseIMReference, result: dict, loss: torch.Tensor, norm: float, quiet: bool) -> bool:
    ok = True
    for key in ("loss", "grad_norm"):
        if key not in result:
            raise DumpError(f"result.safetensors: missing '{key}' [1]")
    checks = [("loss", rel(result["loss"].reshape(()), loss.detach()), LOSS_TOL),
              ("grad_norm", rel(result["grad_norm"].reshape(()), torch.tensor(norm)), TOL)]
    trainable = {n: p.grad for n, p in model.named_parameters() if p.requires_grad}
    dumped = {k[5:] for k in result if k.startswith("grad.")}
    for name in sorted(set(trainable) - dumped):
        print(f"FAIL grad.{name}: missing from result.safetensors")
        ok = False
    for name in sorted(dumped - set(trainable)):
        print(f"FAIL grad.{name}: not a trainable parameter of the reference")
        ok = False
    for name in trainable:
        if name in dumped:
            g = result[f"grad.{name}"]
            if tuple(g.shape) != tuple(trainable[name].shape):
                print(f"FAIL grad.{name}: shape {tuple(g.shape)}, expected {tuple(trainable[name].shape)}")
                ok = False
                continue
            checks.append((f"grad.{name}", rel(g, trainable[name]), TOL))
    worst = max((c for c in checks if c[0].startswith("grad.")), key=lambda c: c[1], default=None)
    for name, err, tol in checks:
        bad = not err <= tol
        ok &= not bad
        if bad or not quiet or not name.startswith("grad.") or name == (worst and worst[0]):
            print(f"{'FAIL' if bad else 'ok  '} {name}: max rel err {err:.3e} (tol {tol:.0e})")
    print(f"checked {len(checks)} values; loss ref {loss.item():.9g} dump {result['loss'].item():.9g}; "
          f"grad_norm ref {norm:.9g} dump {result['grad_norm'].item():.9g}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--decoder-heads", type=int, default=4)
    ap.add_argument("--neg-weight", type=float, default=0.02)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quiet", action="store_true", help="print only failures and the worst gradient")
    args = ap.parse_args()
    deterministic(args.threads)
    try:
        files = {}
        for name in ("weights", "batch", "result"):
            path = os.path.join(args.dir, f"{name}.safetensors")
            if not os.path.isfile(path):
                raise DumpError(f"{path}: not found; run `siamon dump-step --out {args.dir}` first")
            files[name] = load(path)
        cfg = infer_config(files["weights"], args.heads, args.decoder_heads, args.neg_weight)
        print(f"config: {cfg.to_json()}")
        model = SiameseIMReference(cfg)
        load_weights(model, files["weights"])
        batch = batch_from_tensors(files["batch"], os.path.join(args.dir, "batch.safetensors"))
        if "momentum" not in files["batch"]:
            raise DumpError("batch.safetensors: missing 'momentum' [1]")
        momentum = float(files["batch"]["momentum"].reshape(-1)[0])
        parts, _ = forward_backward(model, batch, momentum)
        norm = grad_norm_and_clip(model, None)
        ok = compare(model, files["result"], parts.loss, norm, args.quiet)
    except (DumpError, KeyError, ValueError, RuntimeError) as e:
        print(f"ERROR {e}")
        return 2
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
