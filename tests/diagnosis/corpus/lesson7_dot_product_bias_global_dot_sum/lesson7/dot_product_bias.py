"""Collaborative filtering: the DotProductBias model."""

import torch
from torch import nn


def sigmoid_range(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    return torch.sigmoid(x) * (high - low) + low


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
        self.user_factors = nn.Parameter(torch.randn(n_users, n_factors, generator=generator) * 0.01)
        self.item_factors = nn.Parameter(torch.randn(n_items, n_factors, generator=generator) * 0.01)
        self.user_bias = nn.Parameter(torch.randn(n_users, generator=generator) * 0.01)
        self.item_bias = nn.Parameter(torch.randn(n_items, generator=generator) * 0.01)
        self.y_range = y_range

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        users, items = x[:, 0], x[:, 1]
        dot = (self.user_factors[users] * self.item_factors[items]).sum()
        score = dot + self.user_bias[users] + self.item_bias[items]
        return sigmoid_range(score, *self.y_range)
