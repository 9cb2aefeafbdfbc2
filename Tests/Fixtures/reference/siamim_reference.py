"""Independent PyTorch reference of one SiameseIM training step (the golden fixture's source).

SiameseIMReference(cfg).state_dict() has exactly the official keys (docs/method.md section 9), online first,
then the mm_ target copies. train_step() is one official iteration (docs/method.md section 7): online forward,
EMA update, target forward, dense UniGrad loss, backward, pre-clip grad norm, clip, AdamW.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from siamim_layers import (TARGET_LN_EPS, Geometry, PatchEmbed, PermuteBN, RefConfig, absolute_sincos,
                           backbone_ln, make_blocks, relative_sincos)

ADAMW_BETAS = (0.9, 0.95)
ADAMW_EPS = 1e-8
WEIGHT_DECAY = 0.05

# Online module -> its EMA copy, in the official mm_update order. Parameters only; buffers are not averaged.
EMA_PAIRS = (("patch_embed", "mm_patch_embed"), ("blocks", "mm_blocks"), ("cls_token", "mm_cls_token"),
             ("decoder_embed", "mm_decoder_embed"), ("mask_token", "mm_mask_token"),
             ("projector_decoder_blocks", "mm_projector_decoder_blocks"))


def deterministic(threads: int = 1) -> None:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
    torch.set_default_dtype(torch.float32)


class SiameseIMReference(nn.Module):
    def __init__(self, cfg: RefConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        d, dd, n = cfg.dim, cfg.ddim, cfg.num_patches
        # Registration order = official order, so state_dict() lists keys as the official model does and the
        # same seed consumes the RNG in the same order (Conv2d/Linear default inits, then re-inits).
        self.patch_embed = PatchEmbed(cfg.channels, d, cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d), requires_grad=False)   # fixed, but in state dict
        self.blocks = make_blocks(cfg.depth, d, cfg.heads, cfg.mlp_ratio, backbone_ln)
        self.decoder_embed = nn.Linear(d, dd)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dd))
        self.decoder_pos_embed = nn.Parameter(torch.zeros(1, n + 1, dd), requires_grad=False)
        self.projector_decoder_blocks = make_blocks(cfg.projector_depth, dd, cfg.decoder_heads, cfg.mlp_ratio,
                                                    PermuteBN)
        self.predictor_decoder_blocks = make_blocks(cfg.decoder_depth, dd, cfg.decoder_heads, cfg.mlp_ratio,
                                                    PermuteBN)
        self.decoder_pred = nn.Linear(dd, dd)
        self.decoder_pos_mlp = nn.Linear(2 * dd, dd)
        self._init_online()
        self._build_target()
        self.patch_embed.proj.weight.requires_grad_(False)   # frozen at random init, bias included (docs/method.md section 2)
        self.patch_embed.proj.bias.requires_grad_(False)

    # --- construction -------------------------------------------------------------------------

    def _init_online(self) -> None:
        cfg = self.cfg
        with torch.no_grad():
            self.pos_embed.copy_(absolute_sincos(cfg.dim, cfg.grid)[None])
            self.decoder_pos_embed.copy_(absolute_sincos(cfg.ddim, cfg.grid)[None])
        w = self.patch_embed.proj.weight
        nn.init.xavier_uniform_(w.data.view(w.shape[0], -1))   # like a Linear on (D, C*P*P); bias keeps Conv2d init
        nn.init.normal_(self.cls_token, std=0.02)
        nn.init.normal_(self.mask_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):   # fused qkv too: fan_in D, fan_out 3D
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _build_target(self) -> None:
        cfg = self.cfg
        d, dd = cfg.dim, cfg.ddim
        self.mm_patch_embed = PatchEmbed(cfg.channels, d, cfg.patch_size)
        self.mm_cls_token = nn.Parameter(torch.zeros(1, 1, d), requires_grad=False)
        self.mm_blocks = make_blocks(cfg.depth, d, cfg.heads, cfg.mlp_ratio, backbone_ln)
        self.mm_decoder_embed = nn.Linear(d, dd)
        self.mm_mask_token = nn.Parameter(torch.zeros(1, 1, dd), requires_grad=False)   # EMA-updated, never used
        self.mm_projector_decoder_blocks = make_blocks(cfg.projector_depth, dd, cfg.decoder_heads,
                                                      cfg.mlp_ratio, PermuteBN)
        for online, target in EMA_PAIRS:
            src, dst = getattr(self, online), getattr(self, target)
            if isinstance(src, nn.Parameter):
                dst.data.copy_(src.data)
            else:
                dst.load_state_dict(src.state_dict())   # BN buffers copied too
                for p in dst.parameters():
                    p.requires_grad_(False)

    # --- forward -------------------------------------------------------------------------------

    def forward_online(self, x1: torch.Tensor, mask: torch.Tensor, geom: Geometry) -> torch.Tensor:
        """Prediction P [B, N, Dd] for view 2's tokens from the visible tokens of view 1."""
        b = x1.shape[0]
        d, dd, n = self.cfg.dim, self.cfg.ddim, self.cfg.num_patches
        keep = ~mask.bool()
        x = self.patch_embed(x1) + self.pos_embed[:, 1:, :]
        x = x[keep].view(b, -1, d)   # every row has the same visible count
        cls = self.cls_token.expand(b, -1, -1) + self.pos_embed[:, :1, :]
        x = torch.cat([cls, x], dim=1)
        for blk in self.blocks:
            x = blk(x)   # no final norm
        x = self.decoder_embed(x)
        for blk in self.projector_decoder_blocks:
            x = blk(x)
        vis_pe = self.decoder_pos_embed[:, 1:, :].expand(b, -1, -1)[keep].view(b, -1, dd)
        rel = self.decoder_pos_mlp(relative_sincos(geom, dd, self.cfg.grid))
        masked = self.mask_token.expand(b, n, -1) + rel
        x = torch.cat([x[:, :1] + self.decoder_pos_embed[:, :1, :], x[:, 1:] + vis_pe, masked], dim=1)
        for blk in self.predictor_decoder_blocks:
            x = blk(x)
        return self.decoder_pred(x)[:, -n:]

    @torch.no_grad()
    def forward_target(self, x2: torch.Tensor) -> torch.Tensor:
        """Raw target projector output Z [B, N, Dd] (cls row dropped, before the target LayerNorm)."""
        b = x2.shape[0]
        x = self.mm_patch_embed(x2)
        x = torch.cat([self.mm_cls_token.expand(b, -1, -1), x], dim=1) + self.pos_embed
        for blk in self.mm_blocks:
            x = blk(x)
        x = self.mm_decoder_embed(x)
        for blk in self.mm_projector_decoder_blocks:
            x = blk(x)   # train-mode BN: target batch statistics
        return x[:, 1:, :]

    @torch.no_grad()
    def ema_update(self, m: float) -> None:
        """theta_t <- m*theta_t + (1-m)*theta_o over parameters (not buffers), like the official mm_update."""
        for online, target in EMA_PAIRS:
            src, dst = getattr(self, online), getattr(self, target)
            pairs = [(src, dst)] if isinstance(src, nn.Parameter) else zip(src.parameters(), dst.parameters())
            for q, k in pairs:
                k.copy_(k * m + q * (1.0 - m))

    def online_names(self) -> list[str]:
        return [k for k in self.state_dict() if not k.startswith("mm_")]


@dataclass
class LossParts:
    loss: torch.Tensor
    loss_pos: torch.Tensor   # pos / D
    loss_neg: torch.Tensor   # neg / D, NOT multiplied by lambda: loss = loss_pos + lambda * loss_neg
    target: torch.Tensor     # T = LN_noaffine(Z), [B, N, D]


def unigrad_loss(pred: torch.Tensor, z: torch.Tensor, neg_weight: float) -> LossParts:
    """Dense UniGrad loss, docs/method.md section 6: L = (mean ||P-T||^2 + lambda * mean P C P^T) / D, C = T^T T / M."""
    d = pred.shape[-1]
    t = F.layer_norm(z, (d,), eps=TARGET_LN_EPS).detach()
    p2, t2 = pred.reshape(-1, d), t.reshape(-1, d)
    pos = ((p2 - t2) ** 2).sum(-1).mean()
    c = (t2.T @ t2) / t2.shape[0]
    # The official takes diag(P C P^T) of an M x M product; the row-wise form is the same sum, O(M D^2).
    neg = ((p2 @ c) * p2).sum(-1).mean()
    loss = (pos + neg_weight * neg) / d
    return LossParts(loss, pos / d, neg / d, t)


def param_groups(model: nn.Module, weight_decay: float = WEIGHT_DECAY) -> list[dict]:
    """timm param_groups_weight_decay: frozen skipped; no decay for ndim <= 1 or *.bias; decay otherwise."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def make_optimizer(model: nn.Module) -> torch.optim.AdamW:
    return torch.optim.AdamW(param_groups(model), lr=0.0, betas=ADAMW_BETAS, eps=ADAMW_EPS, foreach=False)


@dataclass
class Batch:
    x1: torch.Tensor
    x2: torch.Tensor
    mask: torch.Tensor   # [B, N] float, 1 = masked
    geom: Geometry


@dataclass
class StepResult:
    loss: float
    loss_pos: float
    loss_neg: float
    grad_norm: float
    grads: dict          # name -> grad before clipping (only when asked)
    pred: torch.Tensor
    target: torch.Tensor


def forward_backward(model: SiameseIMReference, batch: Batch, momentum: float):
    """Online forward, EMA update, target forward, loss, backward. Returns (LossParts, P)."""
    pred = model.forward_online(batch.x1, batch.mask, batch.geom)
    model.ema_update(momentum)   # inside the step, after the online and before the target forward
    z = model.forward_target(batch.x2)
    parts = unigrad_loss(pred, z, model.cfg.neg_weight)
    model.zero_grad(set_to_none=True)
    parts.loss.backward()
    return parts, pred


def grad_norm_and_clip(model: nn.Module, max_norm: float | None) -> float:
    """Total L2 norm of all gradients before clipping; clips like torch.nn.utils.clip_grad_norm_."""
    params = [p for p in model.parameters() if p.grad is not None]
    if max_norm is None:
        return float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params])))
    return float(torch.nn.utils.clip_grad_norm_(params, max_norm, foreach=False))


def train_step(model: SiameseIMReference, opt: torch.optim.Optimizer, batch: Batch, lr: float,
               momentum: float, clip: float | None = 1.0, keep_grads: bool = False) -> StepResult:
    for group in opt.param_groups:
        group["lr"] = lr
    parts, pred = forward_backward(model, batch, momentum)
    grads = {}
    if keep_grads:
        grads = {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}
    norm = grad_norm_and_clip(model, clip)
    opt.step()
    return StepResult(parts.loss.item(), parts.loss_pos.item(), parts.loss_neg.item(), norm, grads,
                      pred.detach().clone(), parts.target.clone())
