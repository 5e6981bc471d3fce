"""Fake quantization with a straight-through estimator (quantization-aware training).

During quantization-aware training the network runs in floating point, but every weight or
activation passes through "quantize, then dequantize" so that the forward pass sees exactly the
values the int8 model will see::

    codes = round(x / scale) + zero_point
    out   = (clamp(codes, quant_min, quant_max) - zero_point) * scale

``round`` has derivative 0 almost everywhere, so plain autograd would stop all learning. The
straight-through estimator (STE) pretends the rounding is the identity in the backward pass,
but keeps the clamp::

    d out / d x = 1   where quant_min <= codes <= quant_max   (the value is representable)
                  0   elsewhere                                (clamped: moving x changes nothing)

Note the test uses the ROUNDED codes: an x half a step beyond the last level still rounds onto
it and gets gradient 1, as in ``torch.fake_quantize_per_tensor_affine``. ``round`` is
``torch.round`` (halves to even).

Write it with ``torch.autograd.Function`` (or the detach trick); do not call
``torch.fake_quantize_per_tensor_affine`` or ``torch.quantize_per_tensor``.
"""

import torch


def fake_quantize(
    x: torch.Tensor, scale: float, zero_point: int, quant_min: int = 0, quant_max: int = 255
) -> torch.Tensor:
    """Quantize-dequantize ``x`` in the forward pass; straight-through gradient in the backward pass.

    Args:
        x: float tensor of any shape.
        scale: the step size (a positive float).
        zero_point: the integer code of 0.0.
        quant_min: the smallest code (0 for uint8, -128 for int8).
        quant_max: the largest code (255 for uint8, 127 for int8).

    Returns:
        A tensor of the shape, dtype and device of ``x``. Its gradient with respect to ``x`` is
        the upstream gradient where ``quant_min <= round(x / scale) + zero_point <= quant_max``
        and 0 elsewhere (no NaN, even for values of size 1e30). ``x`` is not modified.
    """
    # TODO: forward: codes, clamp, dequantize. Backward: pass the upstream gradient through where
    # the codes were inside [quant_min, quant_max], zero elsewhere (torch.autograd.Function with
    # ctx.save_for_backward, or x + (out - x).detach() combined with a mask).
    raise NotImplementedError("TODO: fake_quantize")
