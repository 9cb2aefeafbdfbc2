"""Does siamon's random init have the official distribution? (the step-0 loss and the random-init probe band)

    /opt/torchenv/bin/python Tests/Fixtures/reference/init_check.py stats DUMP|FILE.safetensors
    /opt/torchenv/bin/python Tests/Fixtures/reference/init_check.py loss DUMP [DUMP ...] [--torch-seeds 10]
    /opt/torchenv/bin/python Tests/Fixtures/reference/init_check.py draws --batch DUMP DUMP [DUMP ...] [--torch-seeds 40]
    /opt/torchenv/bin/python Tests/Fixtures/reference/init_check.py save --seed S OUT.safetensors

DUMP is a `siamon dump-step --preset fmnist-tiny --seed S --out DUMP` folder (docs/interop.md section 2).
- stats: every tensor of DUMP/weights.safetensors against the official formula (family, bound/std, fan-in and
  fan-out, zeros/ones, mm_ = online), plus the same numbers for an official-init draw of the same shape.
- loss: the step-0 loss on each dump's batch, with siamon's weights and with `--torch-seeds` official-init
  draws (torch.manual_seed(s)), so that the two inits are compared on the SAME batches.
- draws: the same, on ONE batch (--batch), for many weight draws: the init's own spread, batch held fixed.
- save: official-init weights (online + mm_, official names, F32) for `siamon probe FILE --preset fmnist-tiny`.

`official_initialize` below is transcribed from the official code, OpenGVLab/Siamese-Image-Modeling
@dc397d47 (models_sim.py SiameseIMViT.__init__ / initialize_weights / _init_weights; models_vit.py
PatchEmbed/Attention/Block with timm's Mlp), not from siamon.
"""
from __future__ import annotations

import argparse
import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_dump import infer_config, load_weights   # noqa: E402
from fixture_io import PRESETS, batch_from_tensors, load, save_f32   # noqa: E402
from siamim_layers import absolute_sincos   # noqa: E402
from siamim_reference import EMA_PAIRS, SiameseIMReference, deterministic, unigrad_loss   # noqa: E402


def official_initialize(model: SiameseIMReference) -> None:
    """Re-draws every online tensor as the official constructor leaves it, then copies online -> mm_."""
    with torch.no_grad():
        # models_vit.py PatchEmbed: nn.Conv2d(in_chans, embed_dim, k=p, s=p) -> PyTorch's default
        # reset_parameters: kaiming_uniform_(a=sqrt(5)) weight, bias U(+-1/sqrt(fan_in)), fan_in = C*p*p.
        model.patch_embed.proj.reset_parameters()
        # initialize_weights: "initialize (and freeze) pos_embed by sin-cos embedding", same for the decoder's.
        model.pos_embed.copy_(absolute_sincos(model.cfg.dim, model.cfg.grid)[None])
        model.decoder_pos_embed.copy_(absolute_sincos(model.cfg.ddim, model.cfg.grid)[None])
        # "initialize patch_embed like nn.Linear (instead of nn.Conv2d)": xavier on w.view([w.shape[0], -1]);
        # the conv bias is NOT touched, so it keeps the default above.
        w = model.patch_embed.proj.weight.data
        nn.init.xavier_uniform_(w.view([w.shape[0], -1]))
        # "timm's trunc_normal_(std=.02) is effectively normal_(std=0.02)": cls_token and mask_token.
        nn.init.normal_(model.cls_token, std=.02)
        nn.init.normal_(model.mask_token, std=.02)
        # self.apply(self._init_weights): every nn.Linear (qkv fused [3D, D], proj, fc1, fc2, decoder_embed,
        # decoder_pred, decoder_pos_mlp) xavier_uniform_ + zero bias; nn.LayerNorm weight 1, bias 0.
        # PermuteBN's nn.BatchNorm1d is not matched and keeps PyTorch's defaults (1, 0, running 0/1).
        for name, m in model.named_modules():
            if name.startswith("mm_"):
                continue   # built after initialize_weights (build_momentum_target) and loaded from online
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.LayerNorm):
                nn.init.constant_(m.bias, 0)
                nn.init.constant_(m.weight, 1.0)
            elif isinstance(m, nn.BatchNorm1d):
                m.reset_parameters()
        # build_momentum_target: mm_* = load_state_dict(online) (BN buffers included).
        for online, target in EMA_PAIRS:
            src, dst = getattr(model, online), getattr(model, target)
            if isinstance(src, nn.Parameter):
                dst.data.copy_(src.data)
            else:
                dst.load_state_dict(src.state_dict())


def official_model(cfg, seed: int) -> SiameseIMReference:
    torch.manual_seed(seed)
    model = SiameseIMReference(cfg)
    official_initialize(model)
    return model


# --- per-tensor expectation --------------------------------------------------------------------

def expectation(name: str, shape: tuple) -> tuple[str, float]:
    """(family, parameter): ('uniform', bound) | ('normal', std) | ('const', value) | ('sincos', 0)."""
    base = name[3:] if name.startswith("mm_") else name
    if base in ("pos_embed", "decoder_pos_embed"):
        return "sincos", 0.0
    if base in ("cls_token", "mask_token"):
        return "normal", 0.02
    if base == "patch_embed.proj.weight":
        fan_out, fan_in = shape[0], math.prod(shape[1:])
        return "uniform", math.sqrt(6.0 / (fan_in + fan_out))
    if base == "patch_embed.proj.bias":
        return "uniform", None   # 1/sqrt(C*p*p), filled in by the caller (needs the weight's shape)
    if len(shape) == 2:
        return "uniform", math.sqrt(6.0 / (shape[0] + shape[1]))
    if base.endswith("running_var") or base.endswith("norm1.weight") or base.endswith("norm2.weight") \
            or base.endswith("bn.weight"):
        return "const", 1.0
    return "const", 0.0


def describe(t: torch.Tensor) -> tuple[float, float, float, float]:
    x = t.double().reshape(-1)
    mean, std = x.mean().item(), x.std().item() if x.numel() > 1 else 0.0
    kurt = (((x - mean) / std) ** 4).mean().item() if std > 0 else 0.0
    return mean, std, x.abs().max().item(), kurt


def check_tensor(name: str, t: torch.Tensor, fam: str, p: float, cfg) -> tuple[bool, str]:
    n = t.numel()
    mean, std, amax, kurt = describe(t)
    if fam == "sincos":
        ref = absolute_sincos(t.shape[-1], cfg.grid)[None]
        err = (t.float() - ref).abs().max().item()
        return err < 1e-6, f"sincos max|d| {err:.1e}"
    if fam == "const":
        err = (t.double() - p).abs().max().item()
        return err == 0, f"const {p:g} max|d| {err:.1e}"
    want_std = p / math.sqrt(3) if fam == "uniform" else p
    want_kurt = 1.8 if fam == "uniform" else 3.0
    # 5-sigma bands: sample std has relative sd ~ sqrt((kurt-1)/(4n)); kurtosis sd ~ sqrt(24/n) (loose).
    std_ok = abs(std / want_std - 1) < 5 * math.sqrt((want_kurt - 1) / (4 * n)) + 1e-3
    mean_ok = abs(mean) < 5 * want_std / math.sqrt(n)
    kurt_ok = abs(kurt - want_kurt) < 5 * math.sqrt(24 / n) + 0.05 if n >= 100 else True
    bound_ok = amax <= p * (1 + 1e-6) if fam == "uniform" else True
    ok = std_ok and mean_ok and kurt_ok and bound_ok
    text = (f"{fam} {'bound' if fam == 'uniform' else 'std'} {p:.5f}: std {std:.5f}/{want_std:.5f} "
            f"mean {mean:+.1e} max|x| {amax:.4f} kurt {kurt:.2f}/{want_kurt:.1f}")
    return ok, text


def stats(dump: str) -> int:
    w = load(os.path.join(dump, "weights.safetensors") if os.path.isdir(dump) else dump)
    cfg = infer_config(w, 4, 4, 0.02)
    pe = w["patch_embed.proj.weight"].shape
    bad = 0
    for name in sorted(w):
        fam, p = expectation(name, tuple(w[name].shape))
        if p is None:
            p = 1.0 / math.sqrt(math.prod(pe[1:]))
        ok, text = check_tensor(name, w[name], fam, p, cfg)
        if name.startswith("mm_") and name[3:] in w:
            same = torch.equal(w[name], w[name[3:]])
            ok &= same
            text += "" if same else "  mm_ != online"
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} {tuple(w[name].shape)}  {text}")
    print(f"{len(w)} tensors, {bad} off the official formula")
    return 1 if bad else 0


# --- step-0 loss -------------------------------------------------------------------------------

@torch.no_grad()
def step0_loss(model: SiameseIMReference, batch, momentum: float) -> tuple[float, float, float]:
    pred = model.forward_online(batch.x1, batch.mask, batch.geom)
    model.ema_update(momentum)
    z = model.forward_target(batch.x2)
    parts = unigrad_loss(pred, z, model.cfg.neg_weight)
    return parts.loss.item(), parts.loss_pos.item(), parts.loss_neg.item()


def loss_table(dumps: list[str], torch_seeds: int) -> int:
    cfg = PRESETS["fmnist-tiny"]
    for dump in dumps:
        w = load(os.path.join(dump, "weights.safetensors"))
        cfg = infer_config(w, 4, 4, 0.02)
        b = load(os.path.join(dump, "batch.safetensors"))
        batch = batch_from_tensors(b, dump)
        momentum = float(b["momentum"].reshape(-1)[0])
        ours = SiameseIMReference(cfg)
        load_weights(ours, w)
        l_ours = step0_loss(ours, batch, momentum)
        offi = [step0_loss(official_model(cfg, s), batch, momentum)[0] for s in range(torch_seeds)]
        t = torch.tensor(offi, dtype=torch.float64)
        x1, x2 = batch.x1.double(), batch.x2.double()
        print(f"{dump}: B={batch.x1.shape[0]} x1 mean {x1.mean():+.3f} std {x1.std():.3f}  x2 mean {x2.mean():+.3f} "
              f"std {x2.std():.3f}  log(sh) sd {batch.geom.delta_h.log().std():.3f}")
        print(f"  siamon init: loss {l_ours[0]:.4f} (pos {l_ours[1]:.4f} neg {l_ours[2]:.4f})")
        print(f"  official init x{torch_seeds}: mean {t.mean():.4f} sd {t.std():.4f} min {t.min():.4f} "
              f"max {t.max():.4f}  [{' '.join(f'{v:.3f}' for v in offi)}]")
    return 0


def draws(batch_dir: str, dumps: list[str], torch_seeds: int, first_seed: int = 0) -> int:
    """Init-draw spread on ONE batch: siamon's weights from each dump vs `torch_seeds` official draws."""
    b = load(os.path.join(batch_dir, "batch.safetensors"))
    batch = batch_from_tensors(b, batch_dir)
    momentum = float(b["momentum"].reshape(-1)[0])
    cfg = None
    ours = []
    for dump in dumps:
        w = load(os.path.join(dump, "weights.safetensors"))
        cfg = cfg or infer_config(w, 4, 4, 0.02)
        model = SiameseIMReference(cfg)
        load_weights(model, w)
        ours.append(step0_loss(model, batch, momentum)[0])
        print(f"siamon {dump}: {ours[-1]:.4f}", flush=True)
    offi = []
    for s in range(first_seed, first_seed + torch_seeds):
        offi.append(step0_loss(official_model(cfg, s), batch, momentum)[0])
        print(f"official torch seed {s}: {offi[-1]:.4f}", flush=True)
    a, o = torch.tensor(ours, dtype=torch.float64), torch.tensor(offi, dtype=torch.float64)
    se = math.sqrt(a.var().item() / len(a) + o.var().item() / len(o))
    print(f"batch {batch_dir}: siamon init n={len(a)} mean {a.mean():.4f} sd {a.std():.4f} | official init "
          f"n={len(o)} mean {o.mean():.4f} sd {o.std():.4f} | difference {a.mean() - o.mean():+.4f} +- {se:.4f} (1 SE)")
    return 0


def save(seed: int, out: str) -> int:
    model = official_model(PRESETS["fmnist-tiny"], seed)
    save_f32(out, model.state_dict(), {"format": "siamon-init-check", "torch_seed": str(seed)})
    print(f"wrote {out} (official init, torch.manual_seed({seed}), {len(model.state_dict())} tensors)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stats")
    s.add_argument("dump")
    lo = sub.add_parser("loss")
    lo.add_argument("dumps", nargs="+")
    lo.add_argument("--torch-seeds", type=int, default=10)
    dr = sub.add_parser("draws")
    dr.add_argument("--batch", required=True, help="dump folder whose batch.safetensors is used for every draw")
    dr.add_argument("dumps", nargs="+", help="dump folders whose weights.safetensors are siamon's draws")
    dr.add_argument("--torch-seeds", type=int, default=40)
    dr.add_argument("--first-seed", type=int, default=0, help="first torch seed of the official draws")
    sv = sub.add_parser("save")
    sv.add_argument("--seed", type=int, default=0)
    sv.add_argument("out")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    deterministic(args.threads)
    if args.cmd == "stats":
        return stats(args.dump)
    if args.cmd == "loss":
        return loss_table(args.dumps, args.torch_seeds)
    if args.cmd == "draws":
        return draws(args.batch, args.dumps, args.torch_seeds, args.first_seed)
    return save(args.seed, args.out)


if __name__ == "__main__":
    sys.exit(main())
