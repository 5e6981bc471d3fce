"""Gradient accumulation: a big batch's gradient from several small backward passes (reference solution)."""

from collections.abc import Callable

import torch
from torch import nn


def accumulate_gradients(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    xb: torch.Tensor,
    yb: torch.Tensor,
    micro_batch_size: int,
) -> torch.Tensor:
    """Fill every parameter's ``.grad`` with the full-batch mean-loss gradient, one micro-batch at a time."""
    if micro_batch_size < 1:
        raise ValueError(f"micro_batch_size must be at least 1, not {micro_batch_size}")
    # backward() adds into .grad, so whatever an earlier step left there must go first.
    for p in model.parameters():
        p.grad = None
    n = xb.shape[0]
    total = torch.zeros((), dtype=xb.dtype, device=xb.device)
    for start in range(0, n, micro_batch_size):
        x = xb[start : start + micro_batch_size]
        y = yb[start : start + micro_batch_size]
        # The full-batch mean is sum_k (n_k / n) * mean_k, so each micro-batch mean is
        # weighted by its share of the rows; a short last micro-batch counts for less.
        weight = x.shape[0] / n
        loss = loss_fn(model(x), y) * weight
        # One backward per micro-batch frees its graph at once: that is the memory saving.
        loss.backward()
        total = total + loss.detach()
    return total
