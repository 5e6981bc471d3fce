"""Fake quantization with a straight-through estimator (reference solution)."""

import torch


class _FakeQuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, zero_point, quant_min, quant_max):  # type: ignore[override]
        codes = torch.round(x / scale) + zero_point
        # Remember which values were representable: only they pass gradient back. The test is on
        # the rounded codes, so half a step past the last level still counts as inside.
        inside = (codes >= quant_min) & (codes <= quant_max)
        ctx.save_for_backward(inside)
        return (codes.clamp(quant_min, quant_max) - zero_point) * scale

    @staticmethod
    def backward(ctx, grad_out):  # type: ignore[override]
        (inside,) = ctx.saved_tensors
        # Straight through: rounding is treated as the identity (its true derivative is 0 almost
        # everywhere, which would freeze training); the clamp keeps its zero derivative outside.
        grad_x = grad_out.masked_fill(~inside, 0.0)
        # scale, zero_point, quant_min and quant_max are fixed numbers: no gradient.
        return grad_x, None, None, None, None


def fake_quantize(
    x: torch.Tensor, scale: float, zero_point: int, quant_min: int = 0, quant_max: int = 255
) -> torch.Tensor:
    """Quantize-dequantize ``x`` in the forward pass; straight-through gradient in the backward pass."""
    return _FakeQuantSTE.apply(x, scale, zero_point, quant_min, quant_max)
