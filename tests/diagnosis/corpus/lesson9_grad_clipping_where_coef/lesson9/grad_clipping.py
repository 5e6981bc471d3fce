"""Gradient clipping by the global norm.

The norm is computed with a scaling trick (divide by the largest magnitude before squaring,
multiply back after the square root) so huge gradients cannot overflow, and the coefficient is
chosen branch-free with torch.where (exactly 1.0 when no clipping is needed), then applied in
place to every gradient.
"""

import torch


def clip_grad_norm(params: list[torch.Tensor], max_norm: float) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    if len(grads) == 0:
        return torch.tensor(0.0)
    biggest = torch.stack([g.detach().abs().max() for g in grads]).max()
    safe = torch.where(biggest > 0, biggest, torch.ones_like(biggest))
    sum_sq = sum(((g.detach() / safe) ** 2).sum() for g in grads)
    total = safe * torch.sqrt(sum_sq)
    coef = torch.where(total > max_norm, max_norm / (total + 1e-6), torch.ones_like(total))
    for g in grads:
        g.mul_(coef)
    return total
