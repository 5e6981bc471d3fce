"""An embedding layer, built as a one-hot vector times a weight matrix.

An embedding maps an integer id (a user, a movie, a word) to a trainable vector. Looking
up row ``i`` of a weight matrix gives the same result as multiplying the one-hot vector
of ``i`` by that matrix, and the matmul form shows why the gradient reaches only the rows
that were looked up. Build both pieces:

- ``one_hot(idx, num_classes)``: the one-hot encoding of integer indices;
- ``Embedding``: an ``nn.Module`` holding ``self.weight`` whose forward is
  ``one_hot(idx) @ weight``.

Off limits: ``torch.nn.functional.one_hot``, ``torch.nn.functional.embedding``,
``torch.embedding`` and ``torch.nn.Embedding``.
"""

import torch
from torch import nn


def one_hot(idx: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """One-hot encode integer class indices along a new last dimension.

    ``out[..., c] = 1 if idx[...] == c else 0``

    Args:
        idx: integer tensor of any shape (0-d included) with values in ``[0, num_classes)``.
        num_classes: ``C``, the number of classes.
        dtype: the floating dtype of the result.

    Returns:
        A tensor of shape ``idx.shape + (C,)`` and dtype ``dtype``, on ``idx``'s device,
        holding a single 1 in each last-dimension row. ``idx`` itself is not modified.

    Raises:
        IndexError (or ValueError) with a message naming the bad index when any index is
        negative or ``>= num_classes``. Do not let ``-1`` wrap around to the last class.
    """
    # TODO: check the range of idx, then compare each index with torch.arange(C) (made on idx.device).
    raise NotImplementedError("TODO: one_hot")


class Embedding(nn.Module):
    """A lookup table of ``num_embeddings`` trainable vectors of size ``embedding_dim``.

    Attributes:
        weight: ``nn.Parameter`` of shape ``(num_embeddings, embedding_dim)``, initialised
            from a normal distribution with mean 0 and standard deviation 0.01, drawn with
            ``generator`` (``torch.randn(..., generator=generator)``) so it is reproducible.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        # TODO: keep num_embeddings and create self.weight as an nn.Parameter (normal, std 0.01).
        raise NotImplementedError("TODO: Embedding.__init__")

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Look up the vectors of ``idx``.

        ``out = one_hot(idx, num_embeddings) @ weight``

        Args:
            idx: integer tensor of any shape with values in ``[0, num_embeddings)``.

        Returns:
            A tensor of shape ``idx.shape + (embedding_dim,)`` with the dtype and device of
            ``weight``, equal to ``weight[idx]`` and differentiable with respect to ``weight``.

        Raises:
            IndexError (or ValueError), as ``one_hot`` does, for an index outside
            ``[0, num_embeddings)``, negative ones included.
        """
        # TODO: one-hot encode idx in the weight's dtype and multiply by the weight.
        raise NotImplementedError("TODO: Embedding.forward")
