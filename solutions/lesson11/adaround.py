"""Choosing the rounding of weights with a second-order model of the loss (the idea behind AdaRound).

Rounding every weight to its nearest level is not always best for the loss: the loss couples
the weights. Write the rounding as a change ``dw = w_q - w`` of trained weights ``w`` and expand
the loss to second order::

    cost(w_q) = g . dw + 1/2 dw^T H dw          dw = w_q - w

with ``g`` the gradient and ``H`` the (symmetric) Hessian of the loss at ``w``; for a trained
network ``g`` is about 0. Each weight may go to the quantization level just below it or the one
just above it (``scale`` is the step between levels)::

    down_i = floor(w_i / scale) * scale          up_i = (floor(w_i / scale) + 1) * scale

so ``n`` weights have ``2^n`` candidate roundings. With a diagonal ``H`` the best one is plain
rounding to nearest; off-diagonal entries can make a mix of ups and downs cheaper. Build:

- ``rounding_cost``: the second-order cost of one or many candidate roundings;
- ``best_rounding``: the cheapest of all ``2^n`` candidates, by trying every one (``n <= 16``).

AdaRound itself relaxes this search so that it scales to whole layers; with a few weights,
trying every pattern gives the exact answer. No built-in is off limits.
"""

import torch


def rounding_cost(
    w: torch.Tensor, w_q: torch.Tensor, hessian: torch.Tensor, grad: torch.Tensor | None = None
) -> torch.Tensor:
    """Second-order estimate of the loss change when the weights ``w`` are replaced by ``w_q``.

    ``cost = sum_i g_i dw_i + 1/2 sum_ij dw_i H_ij dw_j`` with ``dw = w_q - w``, for every
    candidate in ``w_q`` at once.

    Args:
        w: the trained weights, shape ``(n,)``.
        w_q: one candidate ``(n,)`` or a batch of candidates ``(..., n)`` (any leading shape).
        hessian: ``(n, n)``, symmetric.
        grad: the gradient ``(n,)``, or ``None`` for a zero gradient.

    Returns:
        The costs, shape ``w_q.shape[:-1]`` (a 0-d tensor for one candidate), with the dtype and
        device of ``w_q``; differentiable with respect to ``w``, ``w_q``, ``hessian`` and ``grad``.
        No input is modified.
    """
    dw = w_q - w
    # 1/2 dw^T H dw for every candidate at once: (..., n) @ (n, n) is a batch of row vectors
    # times H, and the row-wise dot with dw finishes each quadratic form. (dw @ H @ dw would
    # only work for a single candidate.)
    quad = 0.5 * ((dw @ hessian) * dw).sum(dim=-1)
    if grad is None:
        return quad
    # Away from a minimum the first-order term matters too: it rewards moving downhill.
    return (dw * grad).sum(dim=-1) + quad


def best_rounding(
    w: torch.Tensor, scale: float, hessian: torch.Tensor, grad: torch.Tensor | None = None
) -> torch.Tensor:
    """The rounding of ``w`` to the level below or above each weight with the lowest ``rounding_cost``.

    Weight ``i`` may become ``floor(w_i / scale) * scale`` or ``(floor(w_i / scale) + 1) * scale``
    (a weight exactly on a level may stay there or move one level up); every one of the ``2^n``
    patterns is a candidate, scored with ``rounding_cost(w, candidate, hessian, grad)``. The checks
    never contain two candidates whose costs tie.

    Args:
        w: the trained weights, shape ``(n,)`` with ``1 <= n <= 16``.
        scale: the step between quantization levels, ``> 0``.
        hessian: ``(n, n)``, symmetric.
        grad: the gradient ``(n,)``, or ``None`` for a zero gradient.

    Returns:
        The cheapest candidate ``w_q``, shape ``(n,)``, in the dtype and on the device of ``w``
        (the quantized weights themselves, level times scale, not the integer levels).
        No gradient is needed; no input is modified.
    """
    n = w.shape[0]
    # The level just below each weight, then "down" (+0) or "up" (+1) from there; rounding to
    # nearest is one of the 2^n patterns, so the search can only do better.
    low = torch.floor(w / scale)
    patterns = torch.arange(2**n, device=w.device)
    # Row p holds the binary digits of p: bit i says whether weight i goes up.
    bits = (patterns[:, None] >> torch.arange(n, device=w.device)[None, :]) & 1
    candidates = (low + bits.to(w.dtype)) * scale  # (2^n, n)
    costs = rounding_cost(w, candidates, hessian, grad)
    return candidates[torch.argmin(costs)]
