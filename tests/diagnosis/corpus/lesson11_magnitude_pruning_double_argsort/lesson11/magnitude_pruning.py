"""Unstructured magnitude pruning.

Each weight's rank is found with argsort of a stable argsort (rank 0 = smallest magnitude,
ties ranked by flat index); the weights ranked below k are pruned. The global masks are cut
back into tensors with torch.split.
"""

import torch


def _ranks(magnitudes: torch.Tensor) -> torch.Tensor:
    order = torch.argsort(magnitudes, stable=True)
    return torch.argsort(order)


def prune_by_magnitude(w, sparsity):
    k = int(sparsity * w.numel())
    return (_ranks(w.detach().abs().reshape(-1)) >= k).reshape(w.shape)


def prune_global(weights, sparsity):
    flat = torch.cat([w.detach().abs().reshape(-1) for w in weights])
    k = int(sparsity * flat.numel())
    keep = _ranks(flat) >= k
    pieces = torch.split(keep, [w.numel() for w in weights])
    return [piece.reshape(w.shape) for piece, w in zip(pieces, weights)]
