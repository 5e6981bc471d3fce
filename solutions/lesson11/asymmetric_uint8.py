"""Asymmetric (affine) uint8 quantization, per tensor and per channel (reference solution)."""

import torch

QMIN, QMAX = 0, 255


def _qparams(lo: torch.Tensor, hi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # Stretch the range to contain 0 so that 0.0 has an exact code (padding, ReLU zeros).
    lo = lo.clamp(max=0)
    hi = hi.clamp(min=0)
    scale = (hi - lo) / (QMAX - QMIN)
    # hi == lo only for an all-zero slice; any positive scale is exact there, 1.0 avoids 0/0.
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    # lo <= 0, so -lo / scale >= 0: the code that 0.0 lands on, rounded to an integer.
    zero_point = (QMIN - torch.round(lo / scale)).clamp(QMIN, QMAX).to(torch.int64)
    return scale, zero_point


def _quantize(x: torch.Tensor, scale: torch.Tensor, zero_point: torch.Tensor) -> torch.Tensor:
    # torch.round rounds halves to even, exactly like torch's quantizers. Clamp BEFORE the cast:
    # converting an out-of-range float to uint8 is undefined (the CPU wraps -1 to 255, a GPU
    # saturates it to 0), so only clamped codes convert the same way everywhere.
    q = torch.round(x / scale) + zero_point
    return q.clamp(QMIN, QMAX).to(torch.uint8)


def quantize_per_tensor(
    x: torch.Tensor,
    scale: float | torch.Tensor | None = None,
    zero_point: int | torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Quantize ``x`` to uint8 with one scale and zero point."""
    if scale is None or zero_point is None:
        s, zp = _qparams(x.min(), x.max())
    else:
        s = torch.as_tensor(scale, dtype=x.dtype, device=x.device)
        zp = torch.as_tensor(zero_point, dtype=torch.int64, device=x.device)
    return _quantize(x, s, zp), s, zp


def quantize_per_channel(
    x: torch.Tensor,
    axis: int = 0,
    scales: torch.Tensor | None = None,
    zero_points: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Quantize ``x`` to uint8 with one scale and zero point per slice along ``axis``."""
    axis = axis % x.dim()
    channels = x.shape[axis]
    if scales is None or zero_points is None:
        # One row per channel, everything else flattened: min/max over dim 1 is per channel.
        rows = x.movedim(axis, 0).reshape(channels, -1)
        s, zp = _qparams(rows.min(dim=1).values, rows.max(dim=1).values)
    else:
        s = torch.as_tensor(scales, dtype=x.dtype, device=x.device)
        zp = torch.as_tensor(zero_points, dtype=torch.int64, device=x.device)
    # (C,) -> shape [1, ..., C, ..., 1] so channel c's parameters meet the slice x.select(axis, c).
    shape = [1] * x.dim()
    shape[axis] = channels
    return _quantize(x, s.reshape(shape), zp.reshape(shape)), s, zp
