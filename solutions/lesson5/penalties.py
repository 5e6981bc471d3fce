"""L1 and L2 weight penalties and their gradients, written by hand (reference solution)."""

import torch


def l1_penalty(params: list[torch.Tensor], lam: float) -> torch.Tensor:
    """``lam`` times the sum of absolute values of every element of every parameter."""
    # Start from a zero of the parameters' dtype and device, and stay in tensors so that
    # autograd can differentiate the penalty when it is added to a loss.
    total = params[0].new_zeros(())
    for w in params:
        total = total + w.abs().sum()
    return lam * total


def l2_penalty(params: list[torch.Tensor], lam: float) -> torch.Tensor:
    """``lam / 2`` times the sum of squares of every element of every parameter."""
    total = params[0].new_zeros(())
    for w in params:
        total = total + (w * w).sum()
    # The 1/2 cancels the 2 of the derivative, so the gradient is exactly lam * w.
    return 0.5 * lam * total


def l1_grad(params: list[torch.Tensor], lam: float) -> list[torch.Tensor]:
    """The (sub)gradient of ``l1_penalty`` with respect to each parameter."""
    # |w| has no derivative at 0; sign() picks 0 there, the subgradient that leaves an
    # exactly-zero weight where it is (and avoids the 0 / 0 of w / |w|).
    return [lam * torch.sign(w) for w in params]


def l2_grad(params: list[torch.Tensor], lam: float) -> list[torch.Tensor]:
    """The gradient of ``l2_penalty`` with respect to each parameter."""
    # Proportional to the weight itself: a pull towards 0 that fades as w shrinks, which
    # is why L2 makes weights small but rarely exactly zero.
    return [lam * w for w in params]
