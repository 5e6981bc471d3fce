"""Stochastic rounding."""

import torch


def stochastic_round(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    low = torch.trunc(x)  # the integer part
    frac = x - low
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return low + (u < frac).to(x.dtype)
