"""Batches, presets and safetensors I/O shared by make_golden.py, check_dump.py and selfcheck.py."""
from __future__ import annotations

import torch
from safetensors.torch import load_file, save_file

from siamim_layers import Geometry, RefConfig
from siamim_reference import Batch

GEOMETRY_KEYS = ("delta_i", "delta_j", "delta_h", "delta_w", "relative_flip", "flip_delta_j")

# Model shapes of the presets, docs/method.md section 12 (only the fields the reference needs).
PRESETS = {
    "smoke": RefConfig(image_size=28, channels=1, patch_size=4, dim=128, depth=2, heads=4, mlp_ratio=4.0,
                       projector_depth=1, decoder_depth=2, decoder_heads=4, neg_weight=0.02),
    "fmnist-tiny": RefConfig(image_size=28, channels=1, patch_size=4, dim=128, depth=6, heads=4, mlp_ratio=4.0,
                             projector_depth=2, decoder_depth=4, decoder_heads=4, neg_weight=0.02),
    # only for bench_torch.py (BENCHMARKS.md's side-by-side table); no fixture uses it
    "cifar-tiny": RefConfig(image_size=32, channels=3, patch_size=4, dim=192, depth=6, heads=3, mlp_ratio=4.0,
                            projector_depth=2, decoder_depth=4, decoder_heads=3, neg_weight=0.02),
}
MASK_COUNT = {"smoke": 29, "fmnist-tiny": 29, "cifar-tiny": 38}


def random_geometry(batch: int, image: int, gen: torch.Generator) -> Geometry:
    """Geometry of two random crops (top i, left j, height h, width w) of one image, each after its own flip.

    Derived exactly as the official dataset does (docs/method.md section 3), so flip_delta_j is consistent with the crops.
    Flips alternate 0/1 per sample for view 1 and are random for view 2, so both relative_flip values occur."""
    def ints(lo, hi):   # inclusive, per sample
        return torch.randint(lo, hi + 1, (batch,), generator=gen)

    h1, w1, h2, w2 = (ints(image // 2, image) for _ in range(4))
    i1 = (torch.rand(batch, generator=gen) * (image - h1 + 1)).floor()
    j1 = (torch.rand(batch, generator=gen) * (image - w1 + 1)).floor()
    i2 = (torch.rand(batch, generator=gen) * (image - h2 + 1)).floor()
    j2 = (torch.rand(batch, generator=gen) * (image - w2 + 1)).floor()
    flip1 = torch.arange(batch) % 2
    flip2 = torch.randint(0, 2, (batch,), generator=gen)
    h1, w1, h2, w2 = (t.double() for t in (h1, w1, h2, w2))
    i1, j1, i2, j2 = (t.double() for t in (i1, j1, i2, j2))
    return Geometry(delta_i=((i2 - i1) / h1).float(), delta_j=((j2 - j1) / w1).float(),
                    delta_h=(h2 / h1).float(), delta_w=(w2 / w1).float(),
                    relative_flip=(flip1 ^ flip2).float(), flip_delta_j=((image - j1 - j2) / w1).float())


def random_mask(batch: int, n: int, count: int, gen: torch.Generator) -> torch.Tensor:
    """[B, N] float, exactly `count` ones (masked) per row."""
    mask = torch.zeros(batch, n)
    for b in range(batch):
        mask[b, torch.randperm(n, generator=gen)[:count]] = 1.0
    return mask


def random_batch(cfg: RefConfig, batch: int, mask_count: int, gen: torch.Generator) -> Batch:
    shape = (batch, cfg.channels, cfg.image_size, cfg.image_size)
    x1 = torch.randn(shape, generator=gen)
    x2 = torch.randn(shape, generator=gen)
    mask = random_mask(batch, cfg.num_patches, mask_count, gen)
    return Batch(x1, x2, mask, random_geometry(batch, cfg.image_size, gen))


def batch_tensors(batch: Batch) -> dict:
    out = {"x1": batch.x1, "x2": batch.x2, "mask": batch.mask}
    out.update({k: getattr(batch.geom, k) for k in GEOMETRY_KEYS})
    return out


def batch_from_tensors(t: dict, where: str) -> Batch:
    missing = [k for k in ("x1", "x2", "mask") + GEOMETRY_KEYS if k not in t]
    if missing:
        raise KeyError(f"{where}: missing tensors {missing}; write them as docs/interop.md section 2 lists")
    geom = Geometry(**{k: t[k].float().reshape(-1) for k in GEOMETRY_KEYS})
    mask = t["mask"].float().reshape(t["x1"].shape[0], -1)   # [B, N]; a [B, G, G] mask is accepted too
    return Batch(t["x1"].float(), t["x2"].float(), mask, geom)


def save_f32(path: str, tensors: dict, metadata: dict | None = None) -> None:
    """Every tensor as contiguous F32 (num_batches_tracked included), as the fixture format asks."""
    out = {k: v.detach().to(torch.float32).contiguous().clone() for k, v in tensors.items()}
    save_file(out, path, metadata=metadata)


def load(path: str) -> dict:
    return load_file(path)
