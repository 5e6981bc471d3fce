"""Numerical gradients by central finite differences (reference solution)."""

from collections.abc import Callable

import torch


def numerical_grad(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    """Central-difference estimate of the gradient of ``f`` at ``x``."""
    # Work on a private flat copy: the caller's x stays untouched, and a flat view lets one
    # loop reach every element whatever the shape (a 0-d tensor has exactly one).
    # Each element is set to original +/- h and then back to the saved original value:
    # undoing the step by arithmetic (+h, -2h, +h) would round in float32 and drift, and
    # forgetting to restore would take every later partial at a shifted point.
    flat = x.detach().clone().reshape(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + h
        f_plus = float(f(flat.view(x.shape)))
        flat[i] = original - h
        f_minus = float(f(flat.view(x.shape)))
        flat[i] = original
        # The symmetric difference cancels the second-order term of the Taylor expansion,
        # so its error is O(h^2) rather than the O(h) of a one-sided difference.
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.view(x.shape)
