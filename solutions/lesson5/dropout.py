"""Inverted dropout (reference solution)."""

import torch


def dropout(x: torch.Tensor, p: float, training: bool, generator: torch.Generator) -> torch.Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p}")
    # Evaluation is the identity: the 1 / (1 - p) scaling during training already made the
    # expected activation match what the next layer sees at test time.
    if not training:
        return x
    # Every unit dropped: the scale 1 / (1 - p) is infinite, and 0 * inf would be NaN.
    if p == 1.0:
        return torch.zeros_like(x)
    # The mask is drawn on x's device from the caller's generator, so runs are reproducible.
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= p
    # Out of place: x may be needed by autograd or by the caller.
    return x * keep.to(x.dtype) / (1.0 - p)
