"""Gradient accumulation: the gradient of a big batch from several small backward passes.

When a batch does not fit in memory, split it into micro-batches, run forward and
backward on each in turn, and let ``.grad`` add the pieces up. Each backward frees its
micro-batch's graph, so memory is that of one micro-batch. With a mean-reduced loss, each
micro-batch loss must be weighted by ``its rows / all rows``, so the sum of the pieces is
exactly the gradient of the full-batch mean. Nothing is off limits here, but call
``backward()`` once per micro-batch.
"""

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
    """Fill every parameter's ``.grad`` with the gradient of the full-batch mean loss.

    With ``N = xb.shape[0]`` split into consecutive micro-batches ``B_k`` of
    ``micro_batch_size`` rows (the last may be shorter)::

        loss = sum_k (|B_k| / N) * loss_fn(model(xb[B_k]), yb[B_k]) = loss_fn(model(xb), yb)

    This function zeroes the gradients first (sets each ``p.grad`` to ``None`` or zero):
    stale gradients from an earlier step must not leak in. It calls ``backward()`` once
    per micro-batch and never steps or changes the parameters.

    Args:
        model: any ``nn.Module``; its parameters receive the gradients.
        loss_fn: a mean-reduced loss ``loss_fn(prediction, target) -> 0-d tensor``.
        xb: the inputs, shape ``(N, ...)``.
        yb: the targets, shape ``(N, ...)``.
        micro_batch_size: at least 1; may be larger than ``N`` (then one micro-batch).

    Returns:
        The full-batch mean loss: a 0-d tensor (detached) or a float.
    """
    # TODO: zero the grads, loop over micro-batches, weight each loss by its share of rows, backward each.
    raise NotImplementedError("TODO: accumulate_gradients")
