"""Softmax cross-entropy from logits, computed stably.

For logits ``x`` of shape ``(N, C)`` and integer targets ``t`` of shape ``(N,)``::

    log_softmax(x)[i, j] = x[i, j] - log(sum_k exp(x[i, k]))
    loss_i = -log_softmax(x)[i, t_i]
    softmax_cross_entropy = mean_i loss_i   (or sum_i loss_i)

Both must stay finite and accurate for any logits: large ones (``1e4``, or about ``100`` in
float32, where ``exp`` already overflows) and rows that sit far apart from each other (one
row near ``+1000``, another near ``-1000``), so each row (each slice along ``dim``) needs its
own shift. Both must be differentiable with respect to their float input (the grader
compares gradients), keep its dtype and device, and leave it unmodified.

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
        A tensor of the same shape, dtype and device as ``x`` whose exponentials sum to 1
        along ``dim``, differentiable with respect to ``x``.
    """
    # TODO: subtract the maximum along `dim` (one per slice, not one for the whole tensor)
    #       before exponentiating, so exp never overflows.
    raise NotImplementedError("TODO: log_softmax")


def softmax_cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy between ``softmax(logits)`` and integer class targets.

    Args:
        logits: float tensor of shape ``(N, C)``: unnormalised class scores.
        target: int64 tensor of shape ``(N,)`` with values in ``[0, C)``.
        reduction: ``"mean"`` (average over the batch) or ``"sum"``.

    Returns:
        A scalar tensor (shape ``()``) with the dtype and device of ``logits``,
        differentiable with respect to ``logits``.
    """
    # TODO: take -log_softmax at each row's target class, then reduce.
    raise NotImplementedError("TODO: softmax_cross_entropy")
