"""Gradient accumulation over micro-batches.

The batch is cut with torch.split, gradients are cleared by hand, each micro-batch loss is
divided by its share N / |B_k|, and the returned loss is a detached tensor sum.
"""

import torch
from torch import nn


def accumulate_gradients(model: nn.Module, loss_fn, xb: torch.Tensor, yb: torch.Tensor, micro_batch_size: int):
    for p in model.parameters():
        p.grad = None
    n = len(xb)
    total = None
    for xm, ym in zip(torch.split(xb, micro_batch_size), torch.split(yb, micro_batch_size)):
        part = loss_fn(model(xm), ym) / (n / len(xm))
        part.backward()
        total = part.detach() if total is None else total + part.detach()
    return total
