"""Writes python_mixed.safetensors and reference_layout.safetensors with the reference `safetensors` library
(run with /opt/torchenv/bin/python). Every value is exactly representable in its dtype, so the Swift test states them independently.
The library writes __metadata__ in hash order, so regenerating may reorder that header object; the test does
not depend on it."""
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

# The same tensors the Swift writer test writes: its output must equal this file byte for byte.
save_file({
    "zeta": torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float32),
    "alpha": torch.tensor([-7.0], dtype=torch.float32),
    "count": torch.tensor(42, dtype=torch.int64),
}, os.path.join(here, "reference_layout.safetensors"), metadata={"step": "5"})
