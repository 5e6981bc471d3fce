"""An embedding layer built as one-hot times a weight matrix.

one_hot writes the ones with scatter_ into a fresh zero tensor; forward flattens the ids to a
matrix product of 2-D tensors and restores the id shape afterwards.
"""

import torch
from torch import nn


def one_hot(idx: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    if idx.numel() > 0:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0:
            raise IndexError(f"one_hot: index {lo} is negative")
        if hi >= num_classes:
            raise IndexError(f"one_hot: index {hi} is out of range for {num_classes} classes")
    out = torch.zeros(*idx.shape, num_classes, dtype=dtype, device=idx.device)
    out.scatter_(-1, idx.unsqueeze(-1).long(), 1)
    return out


class Embedding(nn.Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        w = torch.randn((num_embeddings, embedding_dim), generator=generator)
        w.mul_(0.01)
        self.weight = nn.Parameter(w)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        flat = one_hot(idx.reshape(-1), self.num_embeddings, dtype=self.weight.dtype)
        out = torch.mm(flat, self.weight)
        return out.reshape(*idx.shape, self.weight.shape[1])
