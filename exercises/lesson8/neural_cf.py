"""Neural collaborative filtering: replace the dot product with a small neural network.

Instead of multiplying a user's factors with an item's, put the two embeddings side by
side and let an MLP learn how they interact. The tables can then have different widths,
picked with a rule of thumb, and the network is regularised with dropout. Build:

- ``emb_size_rule(n)``: the embedding width for a category with ``n`` levels;
- ``NeuralCF``: user and item embeddings -> concatenation -> Linear -> ReLU -> dropout ->
  Linear -> sigmoid stretched onto ``y_range``.

``nn.Embedding`` and ``nn.Linear`` are allowed. Write the dropout yourself: off limits are
``torch.nn.Dropout``, ``torch.nn.functional.dropout`` and ``torch.dropout``.
"""

import torch
from torch import nn


def emb_size_rule(n: int) -> int:
    """The embedding width for a category with ``n`` distinct values.

    ``emb_size_rule(n) = min(600, round(1.6 * n ** 0.56))`` (Python's ``round``).

    Args:
        n: the number of distinct values (users, items, ...), ``n >= 1``.

    Returns:
        A Python ``int``.
    """
    # TODO: apply the rule of thumb, rounded to the nearest integer and capped at 600.
    raise NotImplementedError("TODO: emb_size_rule")


class NeuralCF(nn.Module):
    """Score (user, item) pairs with an MLP over their concatenated embeddings.

    For a batch ``x`` of shape ``(N, 2)`` (column 0 user ids, column 1 item ids)::

        z = cat([user_emb(x[:, 0]), item_emb(x[:, 1])], dim=1)    (N, user_sz + item_sz)
        h = relu(hidden(z))                                       (N, n_hidden)
        h = dropout(h)            only in training mode, see forward
        pred = sigmoid(out(h)[:, 0]) * (high - low) + low         (N,), (low, high) = y_range

    Attributes (the grader reads and writes these names):
        user_emb: ``nn.Embedding(n_users, user_sz)``.
        item_emb: ``nn.Embedding(n_items, item_sz)``.
        hidden: ``nn.Linear(user_sz + item_sz, n_hidden)``.
        out: ``nn.Linear(n_hidden, 1)``.
        p: the dropout probability.
        y_range: the ``(low, high)`` tuple.

    ``user_sz`` and ``item_sz`` default to ``emb_size_rule(n_users)`` and
    ``emb_size_rule(n_items)``.
    """

    def __init__(
        self,
        n_users: int,
        n_items: int,
        user_sz: int | None = None,
        item_sz: int | None = None,
        n_hidden: int = 100,
        p: float = 0.1,
        y_range: tuple[float, float] = (0.0, 5.5),
    ) -> None:
        super().__init__()
        # TODO: pick the widths, create the two embeddings and the two linear layers, keep p and y_range.
        raise NotImplementedError("TODO: NeuralCF.__init__")

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Predicted ratings for a batch of (user, item) pairs.

        Dropout (only when ``self.training`` and ``p > 0``): draw one uniform number per hidden
        unit and per row, ``u = torch.rand(h.shape, generator=generator, device=h.device,
        dtype=h.dtype)``, drop the unit (set it to 0) where ``u < p`` (so with probability
        ``p``), and multiply the units that are kept (``u >= p``) by ``1 / (1 - p)``. The
        grader reproduces this mask from the same seed, so draw it exactly this way. In eval
        mode ``h`` passes unchanged.

        Args:
            x: int64 tensor of shape ``(N, 2)``: user ids, item ids.
            generator: the random source for the dropout mask (on ``x``'s device), or ``None``.

        Returns:
            A tensor of shape ``(N,)`` (also for ``N = 1``) with the model's dtype, on ``x``'s
            device, inside ``y_range`` and finite even for huge scores (use a stable sigmoid),
            differentiable with respect to every layer. ``x`` is not modified.
        """
        # TODO: look up and concatenate, hidden layer + ReLU, dropout when training, output layer, squash.
        raise NotImplementedError("TODO: NeuralCF.forward")
