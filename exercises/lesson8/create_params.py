"""Embedding tables from scratch: ``create_params`` and a dot-product model built on it.

An embedding is nothing more than a trainable table whose rows are picked by integer ids.
Build the table yourself and the model that uses it:

- ``create_params(shape, generator)``: a registered, trainable tensor drawn from a normal
  distribution with mean 0 and standard deviation 0.01;
- ``DotProductBiasScratch``: user and item factor tables plus one bias per user and per item,
  all made with ``create_params``, predicting a rating squashed into ``y_range``.

Off limits: ``torch.nn.Embedding`` and ``torch.nn.functional.embedding`` (index the tables
yourself).
"""

import torch
from torch import nn


def create_params(shape: tuple[int, ...], generator: torch.Generator | None = None) -> nn.Parameter:
    """A trainable tensor of ``shape`` with entries drawn from ``Normal(0, 0.01**2)``.

    The values must be exactly those of ``torch.randn(shape, generator=generator) * 0.01``
    (``torch.zeros(shape).normal_(0, 0.01, generator=generator)`` draws the same numbers), so
    a seeded generator gives reproducible tables. Without a generator, use torch's global one.

    Args:
        shape: the shape of the table, a tuple (or list) of ints, e.g. ``(n_users, n_factors)``.
        generator: the random source (``torch.Generator``), or ``None`` for the global one.

    Returns:
        An ``nn.Parameter`` of shape ``shape``, dtype float32, ``requires_grad=True``.
    """
    # TODO: draw normal numbers with std 0.01 using `generator`, then wrap them in nn.Parameter.
    raise NotImplementedError("TODO: create_params")


class DotProductBiasScratch(nn.Module):
    """Predict a rating as ``user . item + user_bias + item_bias``, squashed into ``y_range``.

    Attributes (the grader reads and writes these names; each made by ``create_params`` with
    the ``generator`` given to ``__init__``, in exactly this order):
        user_factors: shape ``(n_users, n_factors)``.
        user_bias: shape ``(n_users,)``.
        item_factors: shape ``(n_items, n_factors)``.
        item_bias: shape ``(n_items,)``.
        y_range: the ``(low, high)`` tuple given to ``__init__``.

    The model holds no submodules: these four parameters are all it has.
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
        # TODO: create the four tables with create_params (in the documented order) and keep y_range.
        raise NotImplementedError("TODO: DotProductBiasScratch.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predicted ratings for a batch of (user, item) pairs.

        ``score[n] = sum_f U[u_n, f] * V[i_n, f] + b_user[u_n] + b_item[i_n]``
        ``pred[n] = sigmoid(score[n]) * (high - low) + low`` with ``(low, high) = y_range``

        Args:
            x: int64 tensor of shape ``(N, 2)``: column 0 holds user ids, column 1 item ids.

        Returns:
            A tensor of shape ``(N,)`` (also for ``N = 1``) with the parameters' dtype and device,
            inside ``y_range`` and finite even for huge scores (use a stable sigmoid), and
            differentiable with respect to the four tables. ``x`` is not modified.
        """
        # TODO: index the tables with the id columns, take the row-wise dot product, add both biases, squash.
        raise NotImplementedError("TODO: DotProductBiasScratch.forward")
