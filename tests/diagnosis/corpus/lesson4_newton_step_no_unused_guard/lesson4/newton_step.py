"""The Hessian by autograd, and one Newton step."""

from collections.abc import Callable

import torch


def hessian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    xg = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(xg), xg, create_graph=True)
    rows = []
    for i in range(x.shape[0]):
        (row,) = torch.autograd.grad(g[i], xg, retain_graph=True)
        rows.append(row)
    return torch.stack(rows).detach()


def newton_step(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    xg = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(xg), xg)
    H = hessian(f, x)
    d = torch.linalg.solve(H, g)
    return (x.detach() - d).detach()
