"""Stochastic rounding with torch.bernoulli.

The fractional part is the probability of rounding up; torch.bernoulli draws one 0/1 per
element from the given generator (it uses one uniform number per element internally).
"""

import torch


def stochastic_round(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    down = x.floor()
    up_probability = x - down
    return down + torch.bernoulli(up_probability, generator=generator)
