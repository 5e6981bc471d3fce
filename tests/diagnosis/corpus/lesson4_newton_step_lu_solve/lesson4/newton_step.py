"""The Hessian by autograd, and one Newton step.

Each Hessian row is a vector-Jacobian product of the gradient with a unit vector
(grad_outputs=e_i), and the Newton system is solved through an LU factorisation.
"""

from collections.abc import Callable

import torch


def _grad_and_graph(f, x):
    xg = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(xg), xg, create_graph=True)
    return xg, g


def hessian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    xg, g = _grad_and_graph(f, x)
    n = x.shape[0]
    H = torch.zeros((n, n), dtype=x.dtype, device=x.device)
    if not g.requires_grad:  # f is linear in x: its Hessian is zero
        return H
    eye = torch.eye(n, dtype=x.dtype, device=x.device)
    for i in range(n):
        (row,) = torch.autograd.grad(g, xg, grad_outputs=eye[i], retain_graph=True, allow_unused=True)
        if row is not None:
            H[i] = row.detach()
    return H


def newton_step(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    _, g = _grad_and_graph(f, x)
    H = hessian(f, x)
    LU, pivots = torch.linalg.lu_factor(H)
    d = torch.linalg.lu_solve(LU, pivots, g.detach().unsqueeze(-1)).squeeze(-1)
    return x.detach() - d
