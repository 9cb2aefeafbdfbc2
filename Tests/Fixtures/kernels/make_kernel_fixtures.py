#!/opt/torchenv/bin/python
"""Writes kernels_v1.json: golden inputs/outputs/gradients for siamon's Tensor kernels, computed by PyTorch
in float64 from float32-representable inputs. Run once: /opt/torchenv/bin/python make_kernel_fixtures.py
The Swift tests (Tests/TensorTests/GoldenTests.swift) read the JSON; they never run Python."""
import json
import os
import torch
import torch.nn.functional as F

torch.manual_seed(20261126)
D64 = torch.float64


def inp(*shape, scale=1.0, shift=0.0):
    """Random float32 values promoted to float64, so Swift's Float inputs are exactly the same numbers."""
    return (torch.randn(*shape, dtype=torch.float32) * scale + shift).to(D64).requires_grad_(True)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def backward(out):
    """Loss Σ dy·out with a random float32 dy; returns dy."""
    dy = torch.randn(*out.shape, dtype=torch.float32).to(D64)
    (out * dy).sum().backward()
    return dy


def layernorm(rows, channels, affine, eps):
    x = inp(rows, channels, scale=2.0, shift=0.5)
    ln = torch.nn.LayerNorm(channels, eps=eps, elementwise_affine=affine, dtype=D64)
    if affine:
        with torch.no_grad():
            ln.weight.copy_(torch.randn(channels, dtype=torch.float32).to(D64))
            ln.bias.copy_(torch.randn(channels, dtype=torch.float32).to(D64))
    y = ln(x)
    dy = backward(y)
    case = {"rows": rows, "channels": channels, "eps": eps, "x": flat(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad)}
    if affine:
        case.update(weight=flat(ln.weight), bias=flat(ln.bias), dweight=flat(ln.weight.grad), dbias=flat(ln.bias.grad))
    return case


def batchnorm(batch, tokens, channels, eps, momentum):
    """BatchNorm1d(C) in train mode on token rows [B·L, C]."""
    x = inp(batch * tokens, channels, scale=1.5, shift=-0.3)
    bn = torch.nn.BatchNorm1d(channels, eps=eps, momentum=momentum, dtype=D64).train()
    with torch.no_grad():
        bn.weight.copy_(torch.randn(channels, dtype=torch.float32).to(D64))
        bn.bias.copy_(torch.randn(channels, dtype=torch.float32).to(D64))
        bn.running_mean.copy_(torch.randn(channels, dtype=torch.float32).to(D64))
        bn.running_var.copy_(torch.rand(channels, dtype=torch.float32).to(D64) + 0.5)
    rm0, rv0 = flat(bn.running_mean), flat(bn.running_var)
    y = bn(x)
    dy = backward(y)
    return {"rows": batch * tokens, "channels": channels, "eps": eps, "momentum": momentum,
            "x": flat(x), "weight": flat(bn.weight), "bias": flat(bn.bias), "y": flat(y), "dy": flat(dy),
            "dx": flat(x.grad), "dweight": flat(bn.weight.grad), "dbias": flat(bn.bias.grad),
            "running_mean_before": rm0, "running_var_before": rv0,
            "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var)}


def gelu():
    grid = torch.linspace(-10, 10, 81, dtype=torch.float32)
    extra = torch.tensor([0.0, 1e-6, -1e-6, 3e-4, -0.7071, 5.5, -5.5, 12.0, -12.0, 40.0, -40.0], dtype=torch.float32)
    x = torch.cat([grid, extra, torch.randn(60, dtype=torch.float32) * 3]).to(D64).requires_grad_(True)
    y = F.gelu(x, approximate="none")
    dy = backward(y)
    return {"count": x.numel(), "x": flat(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad)}


def attention(batch, tokens, dim, heads):
    """timm Attention after the qkv Linear: qkv [B,T,3D] → out [B,T,D]."""
    qkv = inp(batch, tokens, 3 * dim)
    dh = dim // heads
    q, k, v = qkv.reshape(batch, tokens, 3, heads, dh).permute(2, 0, 3, 1, 4)
    att = ((q * dh ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
    out = (att @ v).transpose(1, 2).reshape(batch, tokens, dim)
    # Cross-check with PyTorch's fused implementation before writing anything.
    ref = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, tokens, dim)
    assert torch.allclose(out, ref, atol=1e-12), "manual attention disagrees with scaled_dot_product_attention"
    dy = backward(out)
    return {"batch": batch, "tokens": tokens, "dim": dim, "heads": heads, "qkv": flat(qkv), "out": flat(out),
            "att": flat(att), "dy": flat(dy), "dqkv": flat(qkv.grad)}


def main():
    fixtures = {
        "magic": "siamon-kernel-fixtures", "version": 1,
        "generator": "Tests/Fixtures/kernels/make_kernel_fixtures.py", "torch": torch.__version__,
        "layernorm_affine": layernorm(4, 10, True, 1e-5),
        "layernorm_plain": layernorm(3, 7, False, 1e-6),
        "batchnorm_train": batchnorm(2, 5, 6, 1e-5, 0.1),
        "gelu": gelu(),
        "attention": attention(2, 5, 8, 2),
        "attention_one_head": attention(1, 7, 6, 1),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels_v1.json")
    with open(path, "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
