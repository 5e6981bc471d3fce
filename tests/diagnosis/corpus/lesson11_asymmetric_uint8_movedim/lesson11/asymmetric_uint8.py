"""Asymmetric uint8 quantization, per tensor and per channel.

Per channel, the channel axis is moved to the front and every channel flattened into a row
(aminmax per row); the codes are computed on a fresh tensor with in-place round_/add_/clamp_
and only then cast. The per-tensor version is the per-channel one applied to a single row.
"""

import torch


def _qparams(lo: torch.Tensor, hi: torch.Tensor):
    lo = torch.minimum(lo, torch.zeros_like(lo))
    hi = torch.maximum(hi, torch.zeros_like(hi))
    width = hi - lo
    scale = torch.where(width == 0, torch.ones_like(width), width / 255)
    zero_point = (-lo / scale).round().clamp(0, 255).long()
    return scale, zero_point


def _codes(x: torch.Tensor, scale: torch.Tensor, zero_point: torch.Tensor) -> torch.Tensor:
    codes = torch.div(x, scale)  # a new tensor: safe to work in place from here
    codes.round_().add_(zero_point).clamp_(0, 255)
    return codes.to(torch.uint8)


def quantize_per_tensor(x, scale=None, zero_point=None):
    if scale is None:
        lo, hi = torch.aminmax(x.reshape(-1))
        scale, zero_point = _qparams(lo, hi)
    else:
        scale = torch.as_tensor(scale, device=x.device).to(x.dtype)
        zero_point = torch.as_tensor(zero_point, device=x.device).to(torch.int64)
    return _codes(x, scale, zero_point), scale, zero_point


def quantize_per_channel(x, axis=0, scales=None, zero_points=None):
    moved = x.movedim(axis, 0)
    C = moved.shape[0]
    if scales is None:
        lo, hi = torch.aminmax(moved.reshape(C, -1), dim=1)
        scales, zero_points = _qparams(lo, hi)
    else:
        scales = torch.as_tensor(scales, device=x.device).to(x.dtype)
        zero_points = torch.as_tensor(zero_points, device=x.device).to(torch.int64)
    bshape = (C,) + (1,) * (moved.dim() - 1)
    q = _codes(moved, scales.reshape(bshape), zero_points.reshape(bshape))
    return q.movedim(0, axis), scales, zero_points
