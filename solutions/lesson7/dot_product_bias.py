"""Collaborative filtering: dot product of latent factors plus biases (reference solution)."""

import torch
from torch import nn


def sigmoid_range(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Squash ``x`` into ``(low, high)`` with a scaled sigmoid."""
    # torch.sigmoid is stable at both ends (a hand-written exp(x) / (1 + exp(x)) gives
    # inf / inf = nan for large x); scaling then shifting maps (0, 1) onto (low, high).
    return torch.sigmoid(x) * (high - low) + low


class DotProductBias(nn.Module):
    """Predict a rating as user . item + user bias + item bias, squashed into ``y_range``."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        n_factors: int,
        y_range: tuple[float, float] = (0.0, 5.5),
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()

        def param(*shape: int) -> nn.Parameter:
            # Small random starting values: if both factor tables started at zero, every
            # dot product and both of its gradients would be zero, and nothing would move.
            return nn.Parameter(torch.randn(*shape, generator=generator) * 0.01)

        self.user_factors = param(n_users, n_factors)
        self.item_factors = param(n_items, n_factors)
        self.user_bias = param(n_users)
        self.item_bias = param(n_items)
        self.y_range = y_range

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        users, items = x[:, 0], x[:, 1]
        u = self.user_factors[users]
        v = self.item_factors[items]
        # The dot product scores how well a user's tastes line up with an item's traits;
        # the biases carry what belongs to one side alone (a generous user, a loved film).
        dot = (u * v).sum(dim=1)
        score = dot + self.user_bias[users] + self.item_bias[items]
        # Squash the whole score, biases included, so no prediction can leave the range.
        return sigmoid_range(score, *self.y_range)
