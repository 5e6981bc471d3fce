"""An embedding layer built from a one-hot matrix product (reference solution)."""

import torch
from torch import nn


def one_hot(idx: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """One-hot encode integer class indices along a new last dimension."""
    if idx.numel() > 0:
        # Silent wrap-around (-1 -> last class) or an all-zero row would hide a data bug,
        # so a bad index is an error, never a quiet wrong answer.
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise IndexError(f"index {bad} is out of range for {num_classes} classes (valid: 0 to {num_classes - 1})")
    # Comparing every index with every class id broadcasts to idx.shape + (num_classes,),
    # so any batch shape (a 0-d index included) works without reshaping.
    classes = torch.arange(num_classes, device=idx.device)
    hot = idx.unsqueeze(-1) == classes
    return hot.to(dtype)


class Embedding(nn.Module):
    """A lookup table of ``num_embeddings`` trainable vectors of size ``embedding_dim``."""

    def __init__(self, num_embeddings: int, embedding_dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        # Small random values: zeros would make a dot product of two embeddings (and its
        # gradient) exactly zero, and large ones would saturate whatever comes next.
        w = torch.randn(num_embeddings, embedding_dim, generator=generator) * 0.01
        # nn.Parameter registers the tensor with the module, so optimizers and
        # .parameters() see it and autograd tracks it.
        self.weight = nn.Parameter(w)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        # Row i of the one-hot matrix picks row idx[i] of the weight; that is exactly a
        # lookup, and the matmul makes the gradient flow to the rows that were used.
        hot = one_hot(idx, self.num_embeddings, dtype=self.weight.dtype)
        return hot @ self.weight
