"""The Hessian by automatic differentiation, and one step of Newton's method (reference solution)."""

from collections.abc import Callable

import torch


def hessian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The Hessian of ``f`` at ``x``."""
    # A private leaf that requires grad: the caller's x stays untouched and out of any graph.
    xr = x.detach().clone().requires_grad_(True)
    # create_graph=True records how the gradient itself was computed, so that it can be
    # differentiated once more; without it g would be a plain tensor with no history.
    (g,) = torch.autograd.grad(f(xr), xr, create_graph=True)
    rows = []
    for i in range(xr.numel()):
        if not g.requires_grad:
            # f is linear in every entry: the gradient is constant and the curvature zero.
            rows.append(torch.zeros_like(xr))
            continue
        # Row i is the gradient of g[i]. retain_graph keeps the graph of g for the next row;
        # allow_unused covers an entry of g that does not depend on x at all.
        (row,) = torch.autograd.grad(g[i], xr, retain_graph=True, allow_unused=True)
        rows.append(torch.zeros_like(xr) if row is None else row)
    return torch.stack(rows).detach()


def newton_step(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """One step of Newton's method from ``x``: ``x - H^-1 g``."""
    xr = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(xr), xr)
    H = hessian(f, x)
    # Solving H d = g is cheaper and more accurate than forming the inverse of H.
    d = torch.linalg.solve(H, g)
    return x.detach() - d
