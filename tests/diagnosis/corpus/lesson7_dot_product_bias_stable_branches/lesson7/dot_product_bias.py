"""Collaborative filtering: the DotProductBias model.

The sigmoid is written by hand in its two-branch stable form built on e = exp(-|x|), which
never overflows (and has finite gradients on both branches; -|x| is formed with torch.where so
that its slope at 0 is -1, not the 0 that abs() gives there); rows are looked up with
index_select and the dot product is an einsum.
"""

import torch
from torch import nn


def _stable_sigmoid(x: torch.Tensor) -> torch.Tensor:
    e = torch.exp(torch.where(x >= 0, -x, x))
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_range(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    return low + (high - low) * _stable_sigmoid(x)


class DotProductBias(nn.Module):
    def __init__(
        self,
        n_users: int,
        n_items: int,
        n_factors: int,
        y_range: tuple[float, float] = (0.0, 5.5),
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()

        def table(*shape: int) -> nn.Parameter:
            return nn.Parameter(0.01 * torch.randn(*shape, generator=generator))

        self.user_factors = table(n_users, n_factors)
        self.item_factors = table(n_items, n_factors)
        self.user_bias = table(n_users)
        self.item_bias = table(n_items)
        self.y_range = y_range

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = self.user_factors.index_select(0, x[:, 0])
        v = self.item_factors.index_select(0, x[:, 1])
        score = torch.einsum("nf,nf->n", u, v)
        score = score + self.user_bias.index_select(0, x[:, 0]) + self.item_bias.index_select(0, x[:, 1])
        low, high = self.y_range
        return sigmoid_range(score, low, high)
