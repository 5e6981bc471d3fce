"""Fake quantization with a straight-through estimator, without a custom autograd Function.

The forward value is the detached quantize-dequantize result; the gradient comes from the term
(x - x.detach()) * mask, which is exactly 0 in value and has derivative mask: 1 where the
rounded code is representable, 0 where it was clamped.
"""

import torch


def fake_quantize(x, scale, zero_point, quant_min=0, quant_max=255):
    with torch.no_grad():
        codes = torch.round(x / scale) + zero_point
        mask = ((codes >= quant_min) & (codes <= quant_max)).to(x.dtype)
        value = (codes.clamp(quant_min, quant_max) - zero_point) * scale
    return value + (x - x.detach()) * mask
