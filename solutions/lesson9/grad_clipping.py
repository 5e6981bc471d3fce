"""Gradient clipping by the global norm (reference solution)."""

import torch


def clip_grad_norm(params: list[torch.Tensor], max_norm: float) -> torch.Tensor:
    """Scale all gradients together so that their joint L2 norm is at most ``max_norm``."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    # One norm over ALL gradients, as if they were a single long vector: clipping each
    # tensor on its own would change the direction of the overall update.
    norms = torch.stack([torch.linalg.vector_norm(g) for g in grads])
    total = torch.linalg.vector_norm(norms)
    if total > max_norm:
        # The same factor for every tensor keeps the update's direction and only shortens it;
        # the 1e-6 guards the division when the norm is tiny.
        scale = max_norm / (total + 1e-6)
        for g in grads:
            # In place: optimizers read p.grad, so the clipped values must live in that tensor.
            g.mul_(scale)
    # The norm BEFORE clipping is what one logs to watch for exploding gradients.
    return total
