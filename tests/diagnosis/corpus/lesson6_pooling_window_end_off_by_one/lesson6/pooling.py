"""Max pooling and average pooling over 2-D windows."""

import torch


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _windows(x, kernel_size, stride):
    kH, kW = _pair(kernel_size)
    sH, sW = _pair(stride) if stride is not None else (kH, kW)
    H, W = x.shape[-2], x.shape[-1]
    H_out = (H - kH) // sH + 1
    W_out = (W - kW) // sW + 1
    slices = []
    for u in range(kH):
        for v in range(kW):
            slices.append(x[..., u : u + sH * (H_out - 1) : sH, v : v + sW * (W_out - 1) : sW])
    return torch.stack(slices, dim=-1)


def max_pool2d(x, kernel_size, stride=None):
    return _windows(x, kernel_size, stride).max(dim=-1).values


def avg_pool2d(x, kernel_size, stride=None):
    return _windows(x, kernel_size, stride).mean(dim=-1)
