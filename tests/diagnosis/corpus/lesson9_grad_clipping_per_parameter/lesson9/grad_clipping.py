"""Gradient clipping by the global norm."""

import torch


def clip_grad_norm(params: list[torch.Tensor], max_norm: float) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g) for g in grads])
    total = torch.linalg.vector_norm(norms)
    for g, norm in zip(grads, norms):
        if norm > max_norm:
            g.mul_(max_norm / (norm + 1e-6))
    return total
