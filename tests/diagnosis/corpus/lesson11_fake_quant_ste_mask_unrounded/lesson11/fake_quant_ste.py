"""Fake quantization with a straight-through estimator."""

import torch


class _FakeQuantize(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, zero_point, quant_min, quant_max):
        codes = torch.round(x / scale) + zero_point
        unrounded = x / scale + zero_point
        inside = (unrounded >= quant_min) & (unrounded <= quant_max)
        ctx.save_for_backward(inside)
        return (torch.clamp(codes, quant_min, quant_max) - zero_point) * scale

    @staticmethod
    def backward(ctx, grad_out):
        (inside,) = ctx.saved_tensors
        return grad_out * inside.to(grad_out.dtype), None, None, None, None


def fake_quantize(x, scale, zero_point, quant_min=0, quant_max=255):
    return _FakeQuantize.apply(x, scale, zero_point, quant_min, quant_max)
