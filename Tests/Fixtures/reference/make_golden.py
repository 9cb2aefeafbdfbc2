"""Writes the golden fixture of 3 SiameseIM training steps on the smoke shape.

    /opt/torchenv/bin/python Tests/Fixtures/reference/make_golden.py            # -> Tests/Fixtures/golden/smoke_step_v1.safetensors
    /opt/torchenv/bin/python Tests/Fixtures/reference/make_golden.py --dump DIR [--preset fmnist-tiny]
        # -> DIR/{weights,batch,result}.safetensors in the dump-step format of docs/interop.md section 2

The whole fixture comes from one seed; every number in it is produced by siamim_reference.py.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixture_io import MASK_COUNT, PRESETS, batch_tensors, random_batch, save_f32   # noqa: E402
from siamim_reference import (ADAMW_BETAS, ADAMW_EPS, WEIGHT_DECAY, SiameseIMReference, deterministic,   # noqa: E402
                              forward_backward, grad_norm_and_clip, make_optimizer, train_step)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "golden", "smoke_step_v1.safetensors"))
# Rounded to float32 first: the run uses exactly the values the fixture stores (as doubles).
LRS = torch.tensor([1e-3, 2e-3, 1.5e-3], dtype=torch.float32).tolist()
MOMENTA = torch.tensor([0.995, 0.996, 0.997], dtype=torch.float32).tolist()
CLIP = 1.0
BATCH = 8
LOSS_CONVENTION = "loss = loss_pos + neg_weight*loss_neg"
COMPARE_NOTE = (
    "loss, loss_pos, loss_neg (all steps) <= 1e-5 relative; grad_norm <= 1e-5 (step 0), 1e-4 (steps 1-2). "
    "grad.*, t0.target, t0.pred: max|a-b|/max|b| per tensor <= 1e-4. "
    "final.* and final.mm_*: L2 relative ||a-b||/||b|| per tensor <= 1e-3, NOT max-abs: AdamW's first steps move "
    "each weight by about +-lr whatever its gradient's size, so elements with near-zero gradients flip under float32 "
    "noise (gradient noise of 1e-6*max|g| gives L2 2e-4 but max-abs 1e-2). Exclude the key bias, rows [D,2D) of "
    "every *.attn.qkv.bias, from final.*: its true gradient is exactly zero (softmax shift invariance) and AdamW "
    "turns its rounding noise into +-lr steps.")


def build(preset: str, seed: int, batch: int):
    cfg = PRESETS[preset]
    torch.manual_seed(seed)
    model = SiameseIMReference(cfg)
    gen = torch.Generator().manual_seed(seed + 1)
    return cfg, model, random_batch(cfg, batch, MASK_COUNT[preset], gen)


def config_json(cfg, preset: str, seed: int, batch: int) -> str:
    c = json.loads(cfg.to_json())
    c.update(decoder_dim=cfg.ddim, preset=preset, seed=seed, batch_size=batch, mask_count=MASK_COUNT[preset], steps=len(LRS),
             lr=LRS, momentum=MOMENTA, clip_grad=CLIP, beta1=ADAMW_BETAS[0], beta2=ADAMW_BETAS[1], eps=ADAMW_EPS,
             weight_decay=WEIGHT_DECAY, backbone_ln_eps=1e-6, bn_eps=1e-5, bn_momentum=0.1, target_ln_eps=1e-5,
             grad_clip="torch.nn.utils.clip_grad_norm_: g *= max_norm/(norm+1e-6) when norm > max_norm",
             torch_version=torch.__version__)
    return json.dumps(c, sort_keys=True)


def write_golden(out: str, seed: int) -> None:
    cfg, model, batch = build("smoke", seed, BATCH)
    online = model.online_names()
    state = model.state_dict()
    tensors = {f"w.{k}": state[k].clone() for k in online}   # state_dict() aliases the live parameters
    tensors.update(batch_tensors(batch))
    tensors["lr"] = torch.tensor(LRS)
    tensors["momentum"] = torch.tensor(MOMENTA)
    opt = make_optimizer(model)
    results = []
    for step, (lr, m) in enumerate(zip(LRS, MOMENTA)):
        r = train_step(model, opt, batch, lr, m, clip=CLIP, keep_grads=(step == 0))
        results.append(r)
        if step == 0:
            tensors.update({f"grad.{k}": g for k, g in r.grads.items()})
            tensors["t0.target"] = r.target
            tensors["t0.pred"] = r.pred
        print(f"step {step}: loss={r.loss:.9g} loss_pos={r.loss_pos:.9g} loss_neg={r.loss_neg:.9g} "
              f"grad_norm={r.grad_norm:.9g}")
    for key in ("loss", "loss_pos", "loss_neg", "grad_norm"):
        tensors[key] = torch.tensor([getattr(r, key) for r in results], dtype=torch.float64)
    for name, p in model.named_parameters():
        tensors[f"final.{name}"] = p
    for name, b in model.named_buffers():   # BN running statistics (extra: not needed for the loss)
        tensors[f"final_buffer.{name}"] = b
    meta = {"format": "siamon-golden", "version": "1", "config": config_json(cfg, "smoke", seed, BATCH),
            "loss_convention": LOSS_CONVENTION, "compare_note": COMPARE_NOTE}
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    save_f32(out, tensors, meta)
    print(f"wrote {out}: {len(tensors)} tensors, {os.path.getsize(out)} bytes")


def write_dump(out_dir: str, preset: str, seed: int, batch_size: int, momentum: float) -> None:
    """One forward/backward in the dump-step format (docs/interop.md section 2), for check_dump.py's self-test."""
    cfg, model, batch = build(preset, seed, batch_size)
    momentum = torch.tensor(momentum, dtype=torch.float32).item()   # the value batch.safetensors stores
    os.makedirs(out_dir, exist_ok=True)
    save_f32(os.path.join(out_dir, "weights.safetensors"), model.state_dict())
    b = batch_tensors(batch)
    b["momentum"] = torch.tensor([momentum])
    save_f32(os.path.join(out_dir, "batch.safetensors"), b)
    parts, _ = forward_backward(model, batch, momentum)
    res = {f"grad.{n}": p.grad for n, p in model.named_parameters() if p.grad is not None}
    res["loss"] = parts.loss.reshape(1)
    res["grad_norm"] = torch.tensor([grad_norm_and_clip(model, None)])
    save_f32(os.path.join(out_dir, "result.safetensors"), res)
    print(f"wrote {out_dir}: preset {preset}, B={batch_size}, loss={parts.loss.item():.9g}, "
          f"grad_norm={float(res['grad_norm']):.9g}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT, help="golden fixture path")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dump", metavar="DIR", help="write a dump-step directory instead of the golden fixture")
    ap.add_argument("--preset", default="smoke", choices=sorted(PRESETS), help="model shape for --dump")
    ap.add_argument("--batch", type=int, default=BATCH, help="batch size for --dump")
    ap.add_argument("--momentum", type=float, default=0.995, help="EMA momentum for --dump")
    args = ap.parse_args()
    deterministic(threads=1)
    if args.dump:
        write_dump(args.dump, args.preset, args.seed, args.batch, args.momentum)
    else:
        write_golden(args.out, args.seed)


if __name__ == "__main__":
    main()
