"""Weight decay: an SGD step with L2 decay, and the L2 penalty it comes from (reference solution)."""

import torch


def sgd_step_weight_decay(
    params: list[torch.Tensor], grads: list[torch.Tensor], lr: float, wd: float
) -> list[torch.Tensor]:
    """One SGD step with L2 weight decay, returning new tensors."""
    new = []
    for p, g in zip(params, grads, strict=True):
        # The gradient of wd/2 * ||p||^2 is wd * p: decay is one extra term in the gradient,
        # pulling each weight towards zero in proportion to its size.
        step = g + wd * p
        # Out of place on purpose: the caller's tensors stay as they were.
        new.append(p - lr * step)
    return new


def l2_penalty(params: list[torch.Tensor], wd: float) -> torch.Tensor:
    """``wd / 2`` times the sum of squared entries of every parameter."""
    total = params[0].new_zeros(())
    for p in params:
        total = total + (p * p).sum()
    # The 1/2 makes the derivative exactly wd * p, the term the decayed step adds.
    return wd / 2 * total
