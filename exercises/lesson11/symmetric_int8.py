"""Symmetric int8 quantization of a tensor, and back.

A float tensor is stored as 8-bit integers plus one float ``scale``. Symmetric quantization maps
the range ``[-max|x|, max|x|]`` onto ``[-127, 127]`` with zero mapped to the integer 0::

    scale = max(|x|) / 127
    q     = clamp(round(x / scale), -127, 127)      stored as torch.int8
    x_hat = q * scale                               (dequantize)

``round`` is ``torch.round``: halves go to the nearest even integer (0.5 -> 0, 1.5 -> 2,
2.5 -> 2). The largest element maps to exactly +-127, and for every element
``|x_hat - x| <= scale / 2``: the round-trip error is at most half a step.

An all-zero tensor has ``max|x| = 0`` and ``x / 0`` is NaN. Here its scale is defined as ``1.0``,
so ``q`` is all zeros and dequantizes back to exact zeros.

The range is symmetric (-127..127); -128 is never used, so negating a quantized value never
overflows.
"""

import torch


def quantize_symmetric(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Quantize ``x`` to int8 with one symmetric scale for the whole tensor.

    Args:
        x: float tensor of any shape (float32 or float64).

    Returns:
        ``(q, scale)``: ``q`` is a ``torch.int8`` tensor of the shape of ``x``; ``scale`` is a
        0-dim tensor with the dtype and device of ``x`` (``1.0`` when ``x`` is all zeros). ``x``
        is not modified. No gradient is needed.
    """
    # TODO: scale from the largest magnitude (guard the all-zero case), then round, clamp, cast.
    raise NotImplementedError("TODO: quantize_symmetric")


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Map int8 codes back to floats.

    Args:
        q: ``torch.int8`` tensor of any shape.
        scale: 0-dim float tensor, as returned by ``quantize_symmetric``.

    Returns:
        ``q * scale`` as a float tensor with the dtype and device of ``scale`` and the shape of ``q``.
    """
    # TODO: convert q to scale's float dtype, then multiply.
    raise NotImplementedError("TODO: dequantize")
