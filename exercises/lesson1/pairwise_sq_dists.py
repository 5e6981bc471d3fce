"""Squared Euclidean distances between two point sets, by broadcasting.

For points ``x[i]`` (rows of ``x``, shape ``(n, d)``) and ``y[j]`` (rows of ``y``, shape
``(m, d)``)::

    D[i, j] = sum_c (x[i, c] - y[j, c]) ** 2        D has shape (n, m)

Build every pair at once by broadcasting, with no Python loop over the points. Leading
batch dimensions are allowed: ``x`` of shape ``(..., n, d)`` and ``y`` of shape ``(..., m, d)``
give ``(..., n, m)``. Off limits: ``torch.cdist`` and ``torch.nn.functional.pairwise_distance``.
"""

import torch


def pairwise_sq_dists(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared distance between every point of ``x`` and every point of ``y``.

    Args:
        x: float tensor of shape ``(..., n, d)``.
        y: float tensor of shape ``(..., m, d)``; the leading dimensions broadcast with ``x``'s
            (``y`` may have fewer of them, or none: ``(2, 4, d)`` with ``(5, d)`` gives ``(2, 4, 5)``).

    Returns:
        A tensor of shape ``(..., n, m)`` with the dtype and device of ``x``. Every entry is
        ``>= 0``, a point's distance to an identical point is exactly ``0``, and small distances
        between points far from the origin (``1e4`` in float32) stay accurate. The result must be
        differentiable with respect to ``x`` and ``y`` (torch operations only, no ``.item()``).
        ``x`` and ``y`` are not modified.
    """
    # TODO: give x a new axis for the y points and y a new axis for the x points, so that
    #       x - y broadcasts to shape (..., n, m, d); square and sum over the coordinates.
    raise NotImplementedError("TODO: pairwise_sq_dists")
