"""Stochastic rounding: round up with probability equal to the fractional part (reference solution)."""

import torch


def stochastic_round(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Round each element of ``x`` up with probability equal to its fractional part."""
    # floor (not trunc) so that the fractional part is in [0, 1) for negative numbers too.
    low = torch.floor(x)
    frac = x - low
    # One independent uniform draw per element, from the caller's generator so that a seed
    # reproduces the result. u < frac happens with probability exactly frac.
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return low + (u < frac).to(x.dtype)
