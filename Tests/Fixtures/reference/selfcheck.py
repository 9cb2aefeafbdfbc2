"""Self-checks of the PyTorch reference (the sanity checks of a port, and more). Prints PASS/FAIL lines; exit 1 on any FAIL.

    /opt/torchenv/bin/python Tests/Fixtures/reference/selfcheck.py
"""
from __future__ import annotations

import math
import os
import random
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import check_dump   # noqa: E402
import make_golden   # noqa: E402
from fixture_io import PRESETS, batch_from_tensors, load, save_f32   # noqa: E402
from siamim_layers import Geometry, PermuteBN, RefConfig, absolute_sincos, relative_coords, relative_sincos   # noqa: E402
from siamim_reference import (SiameseIMReference, deterministic, make_optimizer, param_groups, train_step,   # noqa: E402
                              unigrad_loss)

FAILS = []


def report(name: str, ok: bool, detail: str) -> None:
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")
    if not ok:
        FAILS.append(name)


def geom(b, di=0.0, dj=0.0, dh=1.0, dw=1.0, rf=0.0, fdj=0.0) -> Geometry:
    full = lambda v: torch.full((b,), float(v))   # noqa: E731
    return Geometry(full(di), full(dj), full(dh), full(dw), full(rf), full(fdj))


def check_absolute_pe() -> None:
    d, g = 768, 14
    a = absolute_sincos(d, g)
    r = torch.arange(g * g) // g
    c = torch.arange(g * g) % g
    rows = a[1:]
    err = max((rows[:, 0] - torch.sin(r.float())).abs().max(), (rows[:, 192] - torch.cos(r.float())).abs().max(),
              (rows[:, 384] - torch.sin(c.float())).abs().max(), (rows[:, 576] - torch.cos(c.float())).abs().max())
    report("abs PE cls row zero", bool((a[0] == 0).all()), f"max |row0| = {a[0].abs().max():.1e}")
    report("abs PE dims 0/192/384/576 = sin r, cos r, sin c, cos c", err < 1e-6, f"max err {err:.2e}")
    rng = random.Random(1)
    worst = 0.0
    for _ in range(500):   # any entry, from the formula written out with math.*
        n, k = rng.randrange(g * g), rng.randrange(d)
        rr, cc, blk, f = n // g, n % g, k // 192, k % 192
        w = 10000.0 ** (-f / 192)
        pos = rr if blk < 2 else cc
        want = math.sin(pos * w) if blk % 2 == 0 else math.cos(pos * w)
        worst = max(worst, abs(float(a[1 + n, k]) - want))
    report("abs PE random entries vs math.sin/cos", worst < 1e-6, f"max err {worst:.2e}")


def check_relative_pe() -> None:
    d, g = 768, 14
    a = absolute_sincos(d, g)[1:]
    pe = relative_sincos(geom(2), d, g)
    err = (pe[:, :, :d] - a).abs().max().item()
    report("rel PE identical crops == abs PE (first D dims)", err < 2e-5, f"max err {err:.2e}")
    scale = pe[0, 0, d:]
    want = torch.cat([torch.zeros(192), torch.ones(192), torch.zeros(192), torch.ones(192)])
    report("rel PE identical crops scale half == [0,1,0,1]", bool(torch.equal(scale, want)),
           f"max err {(scale - want).abs().max():.1e}")
    mirror = relative_sincos(geom(1, rf=1.0, fdj=1.0), d, g)[0, :, :d]   # both views full image, one flipped
    idx = torch.tensor([(n // g) * g + (g - 1 - n % g) for n in range(g * g)])
    err = (mirror - a[idx]).abs().max().item()
    report("rel PE relative flip of identical crops == mirrored abs PE", err < 2e-5, f"max err {err:.2e}")


def check_relative_geometry() -> None:
    """h_hat, w_hat against a direct pixel-geometry computation (crop boxes, flips of the full image)."""
    g, width, rng, worst = 7, 28.0, random.Random(2), 0.0
    for _ in range(300):
        boxes = []
        for _view in range(2):
            h, w = rng.uniform(8, 28), rng.uniform(8, 28)
            boxes.append((rng.uniform(0, 28 - h), rng.uniform(0, 28 - w), h, w, rng.random() < 0.5))
        (i1, j1, h1, w1, f1), (i2, j2, h2, w2, f2) = boxes
        t = lambda v: torch.tensor([v], dtype=torch.float32)   # noqa: E731
        ge = Geometry(t((i2 - i1) / h1), t((j2 - j1) / w1), t(h2 / h1), t(w2 / w1), t(float(f1 != f2)),
                      t((width - j1 - j2) / w1))
        hh, ww = relative_coords(ge, g)
        for n in range(g * g):
            u, v = n // g, n % g
            y = i2 + (u + 0.5) * h2 / g                 # view-2 patch centre, frame of flip 2
            x = j2 + (v + 0.5) * w2 / g
            x = width - x if f2 else x                  # original image
            x = width - x if f1 else x                  # frame of flip 1
            want_h, want_w = (y - i1) / (h1 / g) - 0.5, (x - j1) / (w1 / g) - 0.5
            worst = max(worst, abs(float(hh[0, n]) - want_h), abs(float(ww[0, n]) - want_w))
    report("rel PE coordinates vs pixel geometry (300 crops, all flip combos)", worst < 1e-4,
           f"max err {worst:.2e} patch units")


def check_param_count() -> None:
    cfg = RefConfig(image_size=224, channels=3, patch_size=16, dim=768, depth=12, heads=12, projector_depth=2,
                    decoder_depth=4, decoder_heads=16, decoder_dim=768)
    with torch.device("meta"):
        model = SiameseIMReference(cfg)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen_pe = sum(p.numel() for p in model.patch_embed.parameters())
    block = sum(p.numel() for p in model.blocks[0].parameters())
    report("ViT-B/16 trainable parameters == 129,944,832", trainable == 129_944_832, f"{trainable:,}")
    report("ViT-B/16 frozen patch embedding == 590,592", frozen_pe == 590_592, f"{frozen_pe:,}")
    report("ViT-B/16 block parameters == 7,087,872", block == 7_087_872, f"{block:,}")


def check_loss_gradient() -> None:
    torch.manual_seed(3)
    m_tok, d, lam = 60, 16, 0.02
    p = torch.randn(m_tok, d, dtype=torch.float64, requires_grad=True)
    z = torch.randn(m_tok, d, dtype=torch.float64) * 2 + 0.5
    parts = unigrad_loss(p, z, lam)
    parts.loss.backward()
    t = parts.target
    c = t.T @ t / m_tok
    closed = 2.0 / (m_tok * d) * ((p - t) + lam * p @ c)
    err = (p.grad - closed).abs().max().item() / closed.abs().max().item()
    report("dL/dP autograd == 2/(M D)[(P-T) + lambda P C]", err < 1e-12, f"rel err {err:.1e}")
    worst, h = 0.0, 1e-6
    for k in range(20):   # central differences; C depends on T only, so it is constant here
        i, j = (k * 7) % m_tok, (k * 5) % d
        pp, pm = p.detach().clone(), p.detach().clone()
        pp[i, j] += h
        pm[i, j] -= h
        fd = (unigrad_loss(pp, z, lam).loss - unigrad_loss(pm, z, lam).loss).item() / (2 * h)
        worst = max(worst, abs(fd - closed[i, j].item()) / closed.abs().max().item())
    report("dL/dP finite differences == closed form", worst < 1e-7, f"rel err {worst:.1e}")
    lt = torch.nn.functional.layer_norm(z, (d,), eps=1e-5)
    pos = ((p - lt) ** 2).sum() / m_tok / d
    report("loss_pos is pos/D with target LN eps 1e-5", abs(pos.item() - parts.loss_pos.item()) < 1e-12,
           f"{parts.loss_pos.item():.6f}")
    total = parts.loss_pos + lam * parts.loss_neg
    report("loss == loss_pos + lambda*loss_neg", abs(total.item() - parts.loss.item()) < 1e-12,
           f"{parts.loss.item():.6f}")


def check_ema_and_groups() -> None:
    torch.manual_seed(4)
    model = SiameseIMReference(PRESETS["smoke"])
    state = model.state_dict()
    same = all(torch.equal(state[k], state[k[3:]]) for k in state if k.startswith("mm_"))
    report("target == online at construction (params and BN buffers)", same, "exact")
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p))
    before = {k: v.clone() for k, v in model.state_dict().items() if k.startswith("mm_")}
    model.ema_update(1.0)
    after = model.state_dict()
    report("EMA with m=1 leaves the target unchanged", all(torch.equal(v, after[k]) for k, v in before.items()),
           "bitwise")
    model.ema_update(0.0)
    after = model.state_dict()
    moved = all(torch.equal(after[n], after[n[3:]]) for n, _ in model.named_parameters() if n.startswith("mm_"))
    report("EMA with m=0 copies the online parameters", moved, "bitwise")
    buffers_kept = all(torch.equal(before[k], after[k]) for k in before if "running" in k)
    report("EMA leaves BN buffers alone", buffers_kept, "bitwise")
    groups = param_groups(model)
    names = {id(p): n for n, p in model.named_parameters()}
    no_decay = {names[id(p)] for p in groups[0]["params"]}
    decay = {names[id(p)] for p in groups[1]["params"]}
    ok = {"cls_token", "mask_token", "decoder_pos_mlp.weight", "blocks.0.attn.qkv.weight"} <= decay
    ok &= all(n.endswith(".bias") or "norm" in n for n in no_decay) and not any(n.endswith(".bias") for n in decay)
    ok &= not any(n.startswith(("mm_", "patch_embed", "pos_embed", "decoder_pos_embed")) for n in decay | no_decay)
    report("AdamW groups: decay incl. cls/mask tokens; none on bias/norm; frozen skipped", ok,
           f"{len(decay)} decay, {len(no_decay)} no-decay tensors")


def check_init() -> None:
    torch.manual_seed(6)
    cfg = PRESETS["smoke"]
    model = SiameseIMReference(cfg)
    d, fan = cfg.dim, cfg.channels * cfg.patch_size ** 2
    sd = model.state_dict()
    qkv = sd["blocks.0.attn.qkv.weight"]
    bound = math.sqrt(6 / (d + 3 * d))   # fused qkv: fan_in D, fan_out 3D
    ok = qkv.abs().max() <= bound and qkv.abs().max() > 0.95 * bound and abs(qkv.std() - bound / math.sqrt(3)) < 0.02 * bound
    pw, pb = sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"]
    ok &= bool(pw.abs().max() <= math.sqrt(6 / (d + fan)) and pw.abs().max() > 0.9 * math.sqrt(6 / (d + fan)))
    ok &= bool(pb.abs().max() <= 1 / math.sqrt(fan) and pb.abs().min() > 0)   # Conv2d default, not zeroed
    ok &= all(bool((v == 0).all()) for k, v in sd.items() if k.endswith(".bias") and "patch_embed" not in k)
    ok &= all(bool((v == 1).all()) for k, v in sd.items() if k.endswith(("norm1.weight", "norm2.weight", "bn.weight")))
    ok &= 0.012 < sd["cls_token"].std() < 0.028 and 0.012 < sd["mask_token"].std() < 0.028
    report("init: xavier (qkv as [3D,D], patch embed as [D,CPP]), Conv2d bias kept, zero biases, unit norms, "
           "tokens N(0,0.02^2)", bool(ok), f"qkv bound {bound:.4f}, max {qkv.abs().max():.4f}")


def check_permute_bn() -> None:
    torch.manual_seed(5)
    x = torch.randn(3, 5, 8) * 3 + 1
    bn = PermuteBN(8)
    y = bn(x)
    flat = x.reshape(-1, 8)
    want = (flat - flat.mean(0)) / torch.sqrt(flat.var(0, unbiased=False) + 1e-5)
    err = (y.reshape(-1, 8) - want).abs().max().item()
    rv = 0.9 + 0.1 * flat.var(0, unbiased=True)
    report("PermuteBN normalises over B*L tokens, eps 1e-5; running var unbiased, momentum 0.1",
           err < 1e-5 and torch.allclose(bn.bn.running_var, rv), f"max err {err:.1e}")


def check_golden_reproduces() -> None:
    path = make_golden.DEFAULT_OUT
    if not os.path.isfile(path):
        report("golden fixture reproduces", False, f"{path} missing; run make_golden.py")
        return
    fx = load(path)
    model = SiameseIMReference(PRESETS["smoke"])
    state = model.state_dict()
    w = {k: fx[f"w.{k}"].to(state[k].dtype) for k in model.online_names()}
    w.update({k: w[k[3:]] for k in state if k.startswith("mm_")})
    model.load_state_dict(w, strict=True)
    batch = batch_from_tensors(fx, path)
    opt = make_optimizer(model)
    losses = [train_step(model, opt, batch, float(lr), float(m)).loss for lr, m in zip(fx["lr"], fx["momentum"])]
    err = max(abs(a - b) / abs(b) for a, b in zip(losses, fx["loss"].tolist()))
    fin = max(check_dump.rel(drop_key_bias(n, p.detach()), drop_key_bias(n, fx[f"final.{n}"]))
              for n, p in model.named_parameters())
    report("golden fixture reproduces from its own w.* and batch (3 losses; final weights w/o key bias)",
           err < 1e-6 and fin < 1e-4, f"loss rel err {err:.1e}, final max rel err {fin:.1e}")


def drop_key_bias(name: str, t: torch.Tensor) -> torch.Tensor:
    """The key bias has a zero true gradient; AdamW amplifies its rounding noise (see make_golden.COMPARE_NOTE)."""
    if not name.endswith("attn.qkv.bias"):
        return t
    d = t.shape[0] // 3
    return torch.cat([t[:d], t[2 * d:]])


def check_dump_roundtrip() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        make_golden.write_dump(tmp, "smoke", 7, 4, 0.995)
        sys.argv = ["check_dump.py", "--quiet", tmp]
        rc_ok = check_dump.main()
        res = load(os.path.join(tmp, "result.safetensors"))
        res["grad.blocks.1.mlp.fc1.weight"][3, 4] += 1e-2 * res["grad.blocks.1.mlp.fc1.weight"].abs().max()
        save_f32(os.path.join(tmp, "result.safetensors"), res)
        rc_bad = check_dump.main()
    report("check_dump passes its own dump and fails a perturbed gradient", rc_ok == 0 and rc_bad == 1,
           f"rc {rc_ok} then {rc_bad}")


def main() -> int:
    deterministic(threads=1)
    for check in (check_absolute_pe, check_relative_pe, check_relative_geometry, check_param_count,
                  check_loss_gradient, check_ema_and_groups, check_init, check_permute_bn, check_golden_reproduces,
                  check_dump_roundtrip):
        check()
    print(f"{'ALL PASS' if not FAILS else 'FAILED: ' + ', '.join(FAILS)}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
