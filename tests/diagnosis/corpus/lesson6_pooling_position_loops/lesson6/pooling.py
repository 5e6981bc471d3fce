"""Max and average pooling, one output position at a time."""

import torch


def _params(kernel_size, stride):
    kH, kW = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    if stride is None:
        sH, sW = kH, kW
    elif isinstance(stride, int):
        sH, sW = stride, stride
    else:
        sH, sW = stride
    return kH, kW, sH, sW


def _pool(x, kernel_size, stride, reduce):
    kH, kW, sH, sW = _params(kernel_size, stride)
    H, W = x.shape[-2:]
    lead = x.shape[:-2]
    H_out = (H - kH) // sH + 1
    W_out = (W - kW) // sW + 1
    rows = []
    for i in range(H_out):
        row = []
        for j in range(W_out):
            window = x[..., i * sH : i * sH + kH, j * sW : j * sW + kW].reshape(*lead, kH * kW)
            row.append(reduce(window))
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


def max_pool2d(x, kernel_size, stride=None):
    return _pool(x, kernel_size, stride, lambda w: torch.max(w, dim=-1)[0])


def avg_pool2d(x, kernel_size, stride=None):
    return _pool(x, kernel_size, stride, lambda w: w.sum(dim=-1) / w.shape[-1])
