"""Asymmetric (affine) uint8 quantization, per tensor and per channel.

Asymmetric quantization maps a float range ``[lo, hi]`` onto the integers ``0..255`` with a
``scale`` (the float width of one step) and an integer ``zero_point`` (the code of 0.0)::

    lo = min(min(x), 0)      hi = max(max(x), 0)       the range always contains 0
    scale      = (hi - lo) / 255                       (1.0 if hi == lo, i.e. x is all zeros)
    zero_point = clamp(round(-lo / scale), 0, 255)     an integer
    q          = clamp(round(x / scale) + zero_point, 0, 255)      as torch.uint8
    x_hat      = (q - zero_point) * scale              (dequantize)

Including 0 in the range makes 0.0 exactly representable (code ``zero_point``), which matters
for zero padding and ReLU outputs. ``round`` is ``torch.round``: halves go to the even
neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2), as in ``torch.quantize_per_tensor``.

Per channel, each slice ``x.select(axis, c)`` gets its own ``lo``, ``hi``, scale and zero point.

Clamp the codes to 0..255 BEFORE converting them to ``torch.uint8``: converting a float outside
that range is undefined (PyTorch wraps -1.0 around to 255 on the CPU and saturates it to 0 on a
GPU), so only clamped codes give the same, correct result everywhere.

When ``scale`` and ``zero_point`` are given, they are used as they are (values outside the
range they represent are clamped to 0 or 255).

The results must equal ``torch.quantize_per_tensor(x, scale, zero_point, torch.quint8).int_repr()``
(and ``torch.quantize_per_channel``), but do not call those or the fake-quantize functions.
"""

import torch


def quantize_per_tensor(
    x: torch.Tensor,
    scale: float | torch.Tensor | None = None,
    zero_point: int | torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Quantize ``x`` to uint8 with one scale and zero point.

    Args:
        x: float tensor of any shape.
        scale: the step size, or ``None`` to compute it from the range of ``x``.
        zero_point: the code of 0.0 (an integer in ``0..255``), or ``None`` to compute it.
            Give both or neither.

    Returns:
        ``(q, scale, zero_point)``: ``q`` is ``torch.uint8`` with the shape of ``x``; ``scale`` is
        a 0-dim tensor with the dtype of ``x``; ``zero_point`` is a 0-dim ``torch.int64`` tensor.
        All on the device of ``x``; ``x`` is not modified.
    """
    # TODO: if no qparams are given: lo/hi with 0 included, scale (guard hi == lo), zero point.
    # TODO: q = clamp(round(x / scale) + zero_point, 0, 255) as uint8.
    raise NotImplementedError("TODO: quantize_per_tensor")


def quantize_per_channel(
    x: torch.Tensor,
    axis: int = 0,
    scales: torch.Tensor | None = None,
    zero_points: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Quantize ``x`` to uint8 with one scale and zero point per slice along ``axis``.

    Args:
        x: float tensor with at least one dimension; ``C = x.shape[axis]`` channels.
        axis: the channel dimension (for a conv weight ``(out, in, kh, kw)``, axis 0).
        scales: ``(C,)`` step sizes, or ``None`` to compute them from each channel's range.
        zero_points: ``(C,)`` integer codes of 0.0, or ``None``. Give both or neither.

    Returns:
        ``(q, scales, zero_points)``: ``q`` is ``torch.uint8`` with the shape of ``x``; ``scales``
        is ``(C,)`` with the dtype of ``x``; ``zero_points`` is ``(C,)`` ``torch.int64``.
    """
    # TODO: per-channel lo/hi (reduce over every dimension except axis), then the same formulas
    # with scales and zero points reshaped to broadcast along axis.
    raise NotImplementedError("TODO: quantize_per_channel")
