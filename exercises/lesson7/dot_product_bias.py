"""Collaborative filtering with latent factors and biases: the DotProductBias model.

Each user and each item (a movie, say) gets a vector of ``n_factors`` learned numbers and
one learned bias. The predicted rating is the dot product of the two vectors plus both
biases, squashed by a scaled sigmoid into ``y_range``. Build:

- ``sigmoid_range(x, low, high)``: a sigmoid stretched onto ``(low, high)``;
- ``DotProductBias``: the model, holding its four parameter tables.

Look the rows up by indexing the parameters (``self.user_factors[users]``) or with your
own one-hot product. Off limits: ``torch.nn.Embedding``, ``torch.nn.functional.embedding``
and ``torch.embedding``.
"""

import torch
from torch import nn


def sigmoid_range(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Squash ``x`` into ``(low, high)`` with a scaled sigmoid.

    ``sigmoid_range(x) = sigmoid(x) * (high - low) + low``

    Args:
        x: float tensor of any shape.
        low: the lower end of the range.
        high: the upper end of the range (``high > low``).

    Returns:
        A tensor shaped like ``x`` with values in ``[low, high]`` (strictly inside for
        moderate ``x``), differentiable with respect to ``x``. Finite even for ``|x| = 1e4``,
        and so is its gradient, at both signs, in float32 and float64.
    """
    # TODO: scale a (numerically stable) sigmoid to the width of the range, then shift it.
    raise NotImplementedError("TODO: sigmoid_range")


class DotProductBias(nn.Module):
    """Predict a rating as ``user . item + user_bias + item_bias``, squashed into ``y_range``.

    Attributes (the grader reads and writes these names; each an ``nn.Parameter``):
        user_factors: shape ``(n_users, n_factors)``.
        item_factors: shape ``(n_items, n_factors)``.
        user_bias: shape ``(n_users,)``.
        item_bias: shape ``(n_items,)``.
        y_range: the ``(low, high)`` tuple given to ``__init__``.

    Every parameter starts as ``torch.randn(shape, generator=generator) * 0.01``.
    """

    def __init__(
        self,
        n_users: int,
        n_items: int,
        n_factors: int,
        y_range: tuple[float, float] = (0.0, 5.5),
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        # TODO: create the four nn.Parameter tables (normal, std 0.01, drawn with generator) and keep y_range.
        raise NotImplementedError("TODO: DotProductBias.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predicted ratings for a batch of (user, item) pairs.

        ``pred[n] = sigmoid_range(sum_f U[u_n, f] * V[i_n, f] + b_user[u_n] + b_item[i_n], *y_range)``

        Args:
            x: int64 tensor of shape ``(N, 2)``: column 0 holds user ids, column 1 item ids.

        Returns:
            A tensor of shape ``(N,)`` (also for ``N = 1``) with the parameters' dtype and
            device, strictly inside ``y_range`` and finite even for huge scores,
            differentiable with respect to all four parameter tables. With
            ``y_range = (0, 1)`` (implicit feedback) it is the probability of an interaction.
            ``x`` is not modified.
        """
        # TODO: look up both factor rows and both biases, add the dot product and the biases, squash.
        raise NotImplementedError("TODO: DotProductBias.forward")
