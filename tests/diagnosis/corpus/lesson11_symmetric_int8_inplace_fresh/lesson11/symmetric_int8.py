"""Symmetric int8 quantization and dequantization.

The scale is the max magnitude (amax of abs) divided by 127, replaced by 1.0 through
masked_fill when it is 0; the codes are computed on a fresh tensor with in-place round_ and
clamp_, and dequantization multiplies in place on the converted copy.
"""

import torch


def quantize_symmetric(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    scale = torch.amax(torch.abs(x)) / 127
    scale = scale.masked_fill(scale == 0, 1.0)
    codes = x / scale
    codes.round_().clamp_(-127, 127)
    return codes.to(torch.int8), scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    out = q.to(dtype=scale.dtype)
    out.mul_(scale)
    return out
