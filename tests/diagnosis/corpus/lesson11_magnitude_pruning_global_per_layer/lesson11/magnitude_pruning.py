"""Unstructured magnitude pruning, per tensor and global."""

import torch


def _keep_mask(magnitudes: torch.Tensor, sparsity: float) -> torch.Tensor:
    n = magnitudes.numel()
    k = int(sparsity * n)
    order = torch.sort(magnitudes, stable=True).indices
    keep = torch.ones(n, dtype=torch.bool, device=magnitudes.device)
    keep[order[:k]] = False
    return keep


def prune_by_magnitude(w, sparsity):
    return _keep_mask(w.abs().flatten(), sparsity).reshape(w.shape)


def prune_global(weights, sparsity):
    return [prune_by_magnitude(w, sparsity) for w in weights]
