"""Stochastic rounding."""

import torch


def stochastic_round(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    low = torch.floor(x)
    frac = x - low
    u = torch.rand(x.shape, dtype=x.dtype, device=x.device)
    return low + (u < frac).to(x.dtype)
