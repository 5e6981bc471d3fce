"""2-D convolution (cross-correlation, as deep-learning libraries define it).

For an input ``x`` of shape ``(N, C_in, H, W)``, a weight of shape ``(C_out, C_in, kH, kW)``
and an optional bias of shape ``(C_out,)``, with stride ``(sH, sW)`` and zero padding
``(pH, pW)`` on every side::

    xp = x padded with pH zero rows above and below, pW zero columns left and right
    out[n, o, i, j] = bias[o] + sum over c, u, v of
                      xp[n, c, i * sH + u, j * sW + v] * weight[o, c, u, v]

    H_out = (H + 2 * pH - kH) // sH + 1
    W_out = (W + 2 * pW - kW) // sW + 1

The kernel is NOT flipped (that would be a convolution in the signal-processing sense).

Write it with slicing, sums and matrix products; do not call ``torch.nn.functional.conv2d``,
``torch.conv2d``, ``torch.nn.Conv2d``, ``torch.convolution``, ``F.unfold``/``nn.Unfold`` or
``Tensor.unfold``. Autograd must flow through your operations to ``x``, ``weight`` and ``bias``,
and none of them may be modified in place.
"""

import torch


def conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """Cross-correlate a batch of images with a bank of filters.

    Args:
        x: float tensor of shape ``(N, C_in, H, W)``.
        weight: float tensor of shape ``(C_out, C_in, kH, kW)``.
        bias: ``(C_out,)`` or ``None``.
        stride: an int or a pair ``(sH, sW)``.
        padding: an int or a pair ``(pH, pW)``: zeros added on both sides.

    Returns:
        A tensor of shape ``(N, C_out, H_out, W_out)`` with the dtype and device of ``x``.
    """
    # TODO: turn stride and padding into pairs; pad x with zeros (torch.nn.functional.pad
    #       is allowed, or copy into a bigger zero tensor made with device=x.device).
    # TODO: compute H_out and W_out; for every kernel offset (u, v), take the strided slice
    #       of xp that this offset touches, (N, C_in, H_out, W_out), and accumulate its
    #       product with weight[:, :, u, v] summed over C_in (torch.einsum helps).
    # TODO: add the bias, broadcast over N, H_out and W_out.
    raise NotImplementedError("TODO: conv2d")
