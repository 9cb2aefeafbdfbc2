"""Writes python_mixed.safetensors with the reference `safetensors` library (run with /opt/torchenv/bin/python).
Every value is exactly representable in its dtype, so the Swift test states them independently."""
import os
import numpy as np
import torch
from safetensors.torch import save_file

here = os.path.dirname(os.path.abspath(__file__))
tensors = {
    "w": torch.tensor([[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]], dtype=torch.float32),
    "d": torch.tensor([1.5, -2.25, 0.125], dtype=torch.float64),
    "h": torch.tensor([1.0, -0.5, 65504.0, 2.0 ** -24], dtype=torch.float16),
    "b": torch.tensor([1.0, -3.0, 0.0078125], dtype=torch.bfloat16),
    "n": torch.tensor(7, dtype=torch.int64),
    "q": torch.tensor([1, -2], dtype=torch.int8),
    "e": torch.zeros((0, 3), dtype=torch.float32),
    "blocks.0.attn.qkv.weight": torch.arange(12, dtype=torch.float32).reshape(6, 2) / 4,
}
save_file(tensors, os.path.join(here, "python_mixed.safetensors"), metadata={"format": "pt", "note": "fixture"})
