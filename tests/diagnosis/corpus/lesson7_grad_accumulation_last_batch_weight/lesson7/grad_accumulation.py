"""Gradient accumulation over micro-batches."""

import torch
from torch import nn


def accumulate_gradients(model: nn.Module, loss_fn, xb: torch.Tensor, yb: torch.Tensor, micro_batch_size: int):
    model.zero_grad(set_to_none=True)
    n = xb.shape[0]
    total = 0.0
    n_micro = -(-n // micro_batch_size)  # number of micro-batches, rounded up
    for start in range(0, n, micro_batch_size):
        xm = xb[start : start + micro_batch_size]
        ym = yb[start : start + micro_batch_size]
        loss = loss_fn(model(xm), ym) / n_micro
        loss.backward()
        total += loss.item()
    return total
