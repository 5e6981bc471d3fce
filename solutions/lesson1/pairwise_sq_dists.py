"""Squared Euclidean distances between two point sets, by broadcasting (reference solution)."""

import torch


def pairwise_sq_dists(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared distance between every point of ``x`` and every point of ``y``."""
    # Insert the new axes counting from the end, so any leading batch dimensions line up:
    # (..., n, 1, d) - (..., 1, m, d) -> (..., n, m, d).
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)
    # Subtracting first (instead of expanding |x|^2 + |y|^2 - 2 x.y) costs memory, but a sum
    # of squares is never negative, is exactly 0 for identical points and does not lose
    # precision to cancellation when the points lie far from the origin.
    return (diff * diff).sum(dim=-1)
