"""Layers, configuration and positional embeddings of the SiameseIM PyTorch reference.

Written from a description of the official method (docs/method.md) and read against the official
OpenGVLab code, not copied from it.
Module and parameter names follow timm / the official models_vit.py, so that
siamim_reference.SiameseIMReference has the official state-dict keys (docs/method.md section 9).
float32 throughout. Only generates fixtures; siamon's tests never run Python.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BACKBONE_LN_EPS = 1e-6   # util.misc.LayerNorm(eps=1e-6) in every backbone block
TARGET_LN_EPS = 1e-5     # teacher_norm: nn.LayerNorm default eps, no affine
BN_EPS = 1e-5            # nn.BatchNorm1d defaults inside PermuteBN
BN_MOMENTUM = 0.1


@dataclass(frozen=True)
class RefConfig:
    image_size: int = 28
    channels: int = 1
    patch_size: int = 4
    dim: int = 128
    depth: int = 6
    heads: int = 4
    mlp_ratio: float = 4.0
    projector_depth: int = 2
    decoder_depth: int = 4
    decoder_heads: int = 4
    decoder_dim: int = 0      # 0 means "same as dim" (the official config sets decoder_embed_dim = 768 = D)
    neg_weight: float = 0.02

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size

    @property
    def num_patches(self) -> int:
        return self.grid * self.grid

    @property
    def ddim(self) -> int:
        return self.decoder_dim or self.dim

    def validate(self) -> "RefConfig":
        if self.image_size % self.patch_size:
            raise ValueError(f"image_size {self.image_size} not divisible by patch_size {self.patch_size}")
        for name, d, h in (("dim", self.dim, self.heads), ("decoder_dim", self.ddim, self.decoder_heads)):
            if d % 4:
                raise ValueError(f"{name} {d} must be divisible by 4 (2-D sin-cos)")
            if d % h:
                raise ValueError(f"{name} {d} not divisible by its head count {h}")
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


# ---------------------------------------------------------------------------------------------
# Positional embeddings (docs/method.md section 3)
# ---------------------------------------------------------------------------------------------

def absolute_sincos(dim: int, grid: int) -> torch.Tensor:
    """[1 + G*G, dim] row-first 2-D sin-cos with a zero cls row (docs/method.md section 3).

    Computed in float64 like the official numpy code, then rounded once to float32."""
    f = dim // 4
    omega = 1.0 / 10000.0 ** (np.arange(f, dtype=np.float64) / f)
    rows = np.repeat(np.arange(grid, dtype=np.float64), grid)   # token n = r*G + c
    cols = np.tile(np.arange(grid, dtype=np.float64), grid)
    a = np.outer(rows, omega)
    b = np.outer(cols, omega)
    pe = np.concatenate([np.sin(a), np.cos(a), np.sin(b), np.cos(b)], axis=1)
    pe = np.concatenate([np.zeros((1, dim)), pe], axis=0)
    return torch.from_numpy(pe).float()


@dataclass
class Geometry:
    """Per-sample crop geometry of view 2 relative to view 1 (docs/method.md section 3), each [B]."""
    delta_i: torch.Tensor
    delta_j: torch.Tensor
    delta_h: torch.Tensor
    delta_w: torch.Tensor
    relative_flip: torch.Tensor   # 0/1
    flip_delta_j: torch.Tensor


def relative_coords(geom: Geometry, grid: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(h_hat, w_hat), each [B, G*G]: view-1 patch-index coordinates of view-2 patch centres (float32)."""
    centre = torch.arange(grid, dtype=torch.float32) + 0.5
    u = centre.repeat_interleave(grid)   # row of token n
    v = centre.repeat(grid)              # column of token n
    g = float(grid)
    h = geom.delta_h[:, None] * u[None, :] + (geom.delta_i * g)[:, None]
    w_plain = geom.delta_w[:, None] * v[None, :] + (geom.delta_j * g)[:, None]
    w_flip = -(geom.delta_w[:, None] * v[None, :]) + (geom.flip_delta_j * g)[:, None]
    rf = geom.relative_flip.float()[:, None]
    w = rf * w_flip + (1 - rf) * w_plain   # the official blends arithmetically; rf is exactly 0 or 1
    return h - 0.5, w - 0.5


def relative_sincos(geom: Geometry, dim: int, grid: int) -> torch.Tensor:
    """[B, G*G, 2*dim] = [sin h, cos h, sin w, cos w, sin sh, cos sh, sin sw, cos sw] (docs/method.md section 3), no grad."""
    f = dim // 4
    omega = 1.0 / (10000 ** (torch.arange(f, dtype=torch.float32) / f))
    h, w = relative_coords(geom, grid)
    n = h.shape[1]
    oh = h[:, :, None] * omega
    ow = w[:, :, None] * omega
    sh = (10 * torch.log(geom.delta_h))[:, None] * omega   # natural log times 10, constant over tokens
    sw = (10 * torch.log(geom.delta_w))[:, None] * omega
    sh = sh[:, None, :].expand(-1, n, -1)
    sw = sw[:, None, :].expand(-1, n, -1)
    pe = torch.cat([oh.sin(), oh.cos(), ow.sin(), ow.cos(), sh.sin(), sh.cos(), sw.sin(), sw.cos()], dim=2)
    return pe.detach()


# ---------------------------------------------------------------------------------------------
# Building blocks (names match timm / the official models_vit.py)
# ---------------------------------------------------------------------------------------------

class PatchEmbed(nn.Module):
    def __init__(self, channels: int, dim: int, patch: int):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)   # [B, N, D], token n = r*G + c


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)   # output channel s*D + h*(D/H) + d
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        s = (q * self.scale) @ k.transpose(-2, -1)
        s = s - s.max(-1).values.unsqueeze(-1)   # the official's fp16 guard; kept so autograd sees the same graph
        a = s.softmax(dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()   # exact (erf) GELU
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class PermuteBN(nn.Module):
    """BatchNorm1d over all B*L tokens of a [B, L, C] sequence (train mode: batch statistics)."""

    def __init__(self, dim: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(dim, eps=BN_EPS, momentum=BN_MOMENTUM)

    def forward(self, x):
        return self.bn(x.permute(0, 2, 1)).permute(0, 2, 1)


def backbone_ln(dim: int) -> nn.Module:
    return nn.LayerNorm(dim, eps=BACKBONE_LN_EPS)


class Block(nn.Module):
    """Pre-norm transformer block; no LayerScale, no DropPath (the pretraining config sets neither)."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float, norm):
        super().__init__()
        self.norm1 = norm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = norm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def make_blocks(count, dim, heads, ratio, norm) -> nn.ModuleList:
    return nn.ModuleList([Block(dim, heads, ratio, norm) for _ in range(count)])
