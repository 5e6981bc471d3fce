"""Stable sigmoid and binary cross-entropy from logits (reference solution)."""

import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """The logistic function ``1 / (1 + exp(-x))``, finite for every finite ``x``."""
    # Each branch only exponentiates a non-positive number, so nothing overflows: for x >= 0
    # use 1 / (1 + exp(-x)); for x < 0 multiply top and bottom by exp(x), which gives
    # exp(x) / (1 + exp(x)). Clamping each branch's input keeps the branch that torch.where
    # discards finite as well: an inf there would still turn its gradient into NaN.
    pos = 1.0 / (1.0 + torch.exp(-x.clamp(min=0)))
    e = torch.exp(x.clamp(max=0))
    neg = e / (1.0 + e)
    return torch.where(x >= 0, pos, neg)


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Binary cross-entropy between ``sigmoid(logits)`` and ``target``, from the logits."""
    x, t = logits, target
    # -log(sigmoid(x)) = log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)); combining both
    # terms of the cross-entropy gives max(x, 0) - x t + log1p(exp(-|x|)). No log of a
    # rounded probability is ever taken, so no log(0); log1p keeps tiny tails accurate.
    losses = x.clamp(min=0) - x * t + torch.log1p(torch.exp(-x.abs()))
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
