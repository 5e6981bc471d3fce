"""Softmax cross-entropy from logits, computed stably.

For logits ``x`` of shape ``(N, C)`` and integer targets ``t`` of shape ``(N,)``::

    log_softmax(x)[i, j] = x[i, j] - log(sum_k exp(x[i, k]))
    loss_i = -log_softmax(x)[i, t_i]
    softmax_cross_entropy = mean_i loss_i   (or sum_i loss_i)

Write it without ``torch.nn.functional.cross_entropy``, ``log_softmax``, ``nll_loss`` or
``logsumexp``: the point is to build them.
"""

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Log of the softmax of ``x`` along ``dim``, stable for large values.

    Args:
        x: float tensor of any shape.
        dim: the dimension that holds the classes.

    Returns:
        A tensor of the same shape and dtype as ``x`` whose exponentials sum to 1 along ``dim``.
    """
    # TODO: subtract the maximum along `dim` before exponentiating, so exp never overflows.
    raise NotImplementedError("TODO: log_softmax")


def softmax_cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy between ``softmax(logits)`` and integer class targets.

    Args:
        logits: float tensor of shape ``(N, C)``: unnormalised class scores.
        target: int64 tensor of shape ``(N,)`` with values in ``[0, C)``.
        reduction: ``"mean"`` (average over the batch) or ``"sum"``.

    Returns:
        A scalar tensor (shape ``()``) with the dtype of ``logits``.
    """
    # TODO: take -log_softmax at each row's target class, then reduce.
    raise NotImplementedError("TODO: softmax_cross_entropy")
