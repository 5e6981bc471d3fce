"""Max pooling and average pooling over 2-D windows (reference solution)."""

import torch


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _windows(x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None) -> torch.Tensor:
    """All pooling windows of ``x``, stacked on a new last dimension: (*, H_out, W_out, kH * kW)."""
    kh, kw = _pair(kernel_size)
    # Like torch, a missing stride means non-overlapping windows.
    sh, sw = _pair(stride if stride is not None else kernel_size)
    h, w = x.shape[-2], x.shape[-1]
    h_out = (h - kh) // sh + 1
    w_out = (w - kw) // sw + 1
    # One strided slice per offset inside the window: kH * kW slices cover every window at
    # once, and the ellipsis keeps any leading batch/channel dimensions.
    slices = [
        x[..., u : u + sh * (h_out - 1) + 1 : sh, v : v + sw * (w_out - 1) + 1 : sw]
        for u in range(kh)
        for v in range(kw)
    ]
    return torch.stack(slices, dim=-1)


def max_pool2d(
    x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> torch.Tensor:
    """The maximum of each window."""
    windows = _windows(x, kernel_size, stride)
    # max(dim) returns one index per window, and its backward sends the whole upstream
    # gradient to that one element. amax would split it between tied elements instead.
    return windows.max(dim=-1).values


def avg_pool2d(
    x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> torch.Tensor:
    """The mean of each window."""
    return _windows(x, kernel_size, stride).mean(dim=-1)
