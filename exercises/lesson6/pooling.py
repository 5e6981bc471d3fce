"""Max pooling and average pooling over 2-D windows.

For an input of shape ``(*, H, W)`` (usually ``(N, C, H, W)``), a window of size
``(kH, kW)`` slides with stride ``(sH, sW)`` (the stride defaults to the kernel size, so
windows do not overlap). No padding; windows that would run past the edge are dropped::

    H_out = (H - kH) // sH + 1        W_out = (W - kW) // sW + 1
    max_pool2d(x)[..., i, j] = max  of x[..., i*sH : i*sH + kH, j*sW : j*sW + kW]
    avg_pool2d(x)[..., i, j] = mean of the same window

The gradient of max pooling flows only to the element that won each window (one element per
window, even when several are equal); the gradient of average pooling is spread evenly,
``1 / (kH * kW)`` to each element of the window. Both results must be differentiable with
respect to ``x``, and ``x`` must not be modified.

Do not call ``F.max_pool2d``, ``F.avg_pool2d``, ``torch.max_pool2d``, ``nn.MaxPool2d``,
``nn.AvgPool2d``, ``F.unfold`` or ``Tensor.unfold``.
"""

import torch


def max_pool2d(
    x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> torch.Tensor:
    """The maximum of each window.

    Args:
        x: float tensor of shape ``(*, H, W)``.
        kernel_size: an int or a pair ``(kH, kW)``.
        stride: an int, a pair ``(sH, sW)``, or ``None`` for the kernel size.

    Returns:
        A tensor of shape ``(*, H_out, W_out)`` with the dtype and device of ``x``.
    """
    # TODO: for each of the kH * kW offsets (u, v), take the strided slice
    #       x[..., u : u + sH*(H_out-1) + 1 : sH, v : ... : sW]; stack the slices on a new
    #       last dimension and reduce it with .max(dim=-1).values (one winner per window).
    raise NotImplementedError("TODO: max_pool2d")


def avg_pool2d(
    x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> torch.Tensor:
    """The mean of each window.

    Args:
        x: float tensor of shape ``(*, H, W)``.
        kernel_size: an int or a pair ``(kH, kW)``.
        stride: an int, a pair ``(sH, sW)``, or ``None`` for the kernel size.

    Returns:
        A tensor of shape ``(*, H_out, W_out)`` with the dtype and device of ``x``.
    """
    # TODO: the same windows as max_pool2d, reduced with a mean over kH * kW values.
    raise NotImplementedError("TODO: avg_pool2d")
