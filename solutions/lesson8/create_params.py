"""Embedding tables from scratch: create_params and a dot-product model built on it (reference solution)."""

import torch
from torch import nn


def create_params(shape: tuple[int, ...], generator: torch.Generator | None = None) -> nn.Parameter:
    """A trainable tensor of ``shape`` drawn from a normal distribution with std 0.01."""
    # Small random values break the symmetry between factors: tables that started at zero
    # would give zero dot products and zero gradients, and training would never start.
    # Wrapping in nn.Parameter is what makes a Module register the tensor, so that
    # model.parameters() (and hence the optimizer) sees it.
    return nn.Parameter(torch.randn(tuple(shape), generator=generator) * 0.01)


class DotProductBiasScratch(nn.Module):
    """``rating = sigmoid_range(user . item + user_bias + item_bias)``, with no nn.Embedding."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        n_factors: int,
        y_range: tuple[float, float] = (0.0, 5.5),
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        # Assigning a Parameter to an attribute registers it under that name.
        self.user_factors = create_params((n_users, n_factors), generator)
        self.user_bias = create_params((n_users,), generator)
        self.item_factors = create_params((n_items, n_factors), generator)
        self.item_bias = create_params((n_items,), generator)
        self.y_range = y_range

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        users, items = x[:, 0], x[:, 1]
        # Indexing a parameter with a tensor of ids is exactly what an embedding does; autograd
        # scatters the gradient back into the looked-up rows only (and adds up repeats).
        dot = (self.user_factors[users] * self.item_factors[items]).sum(dim=1)
        score = dot + self.user_bias[users] + self.item_bias[items]
        low, high = self.y_range
        # torch.sigmoid is stable for large |score|; the affine map stretches (0, 1) onto (low, high).
        return torch.sigmoid(score) * (high - low) + low
