"""Asymmetric uint8 quantization, per tensor and per channel."""

import torch


def quantize_per_tensor(x, scale=None, zero_point=None):
    if scale is None:
        lo = torch.clamp(x.min(), max=0)
        hi = torch.clamp(x.max(), min=0)
        scale = (hi - lo) / 255
        scale = torch.where(hi == lo, torch.ones_like(scale), scale)
        zero_point = torch.clamp(torch.round(-lo / scale), 0, 255).to(torch.int64)
    else:
        scale = torch.as_tensor(scale, dtype=x.dtype, device=x.device)
        zero_point = torch.as_tensor(zero_point, device=x.device).to(torch.int64)
    q = (torch.round(x / scale) + zero_point).to(torch.uint8).clamp(0, 255)
    return q, scale, zero_point


def quantize_per_channel(x, axis=0, scales=None, zero_points=None):
    axis = axis % x.dim()
    shape = [1] * x.dim()
    shape[axis] = x.shape[axis]
    if scales is None:
        other = [d for d in range(x.dim()) if d != axis]
        lo = (x.amin(dim=other) if other else x).clamp(max=0)
        hi = (x.amax(dim=other) if other else x).clamp(min=0)
        scales = (hi - lo) / 255
        scales = torch.where(hi == lo, torch.ones_like(scales), scales)
        zero_points = torch.clamp(torch.round(-lo / scales), 0, 255).to(torch.int64)
    else:
        scales = torch.as_tensor(scales, dtype=x.dtype, device=x.device)
        zero_points = torch.as_tensor(zero_points, device=x.device).to(torch.int64)
    q = torch.round(x / scales.view(shape)) + zero_points.view(shape)
    q = q.to(torch.uint8).clamp(0, 255)
    return q, scales, zero_points
