"""An embedding layer built as one-hot times a weight matrix."""

import torch
from torch import nn


def one_hot(idx: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    bad = idx >= num_classes
    if bad.any():
        raise IndexError(f"index {idx[bad].flatten()[0].item()} is out of range for {num_classes} classes")
    classes = torch.arange(num_classes, device=idx.device)
    return (idx.unsqueeze(-1) == classes).to(dtype)


class Embedding(nn.Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim, generator=generator) * 0.01)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return one_hot(idx, self.num_embeddings, dtype=self.weight.dtype) @ self.weight
