"""Magnitude pruning: zero the weights with the smallest absolute value (reference solution)."""

import torch


def _keep_mask(magnitudes: torch.Tensor, sparsity: float) -> torch.Tensor:
    """Flat keep-mask pruning the floor(sparsity * n) smallest entries of a 1-D tensor."""
    n = magnitudes.numel()
    # int() truncates, which is floor for a non-negative count: the documented rounding.
    k = int(sparsity * n)
    # A STABLE sort keeps equal magnitudes in index order, so ties go to the lower index first
    # and exactly k entries are pruned however many magnitudes are equal.
    order = torch.sort(magnitudes, stable=True).indices
    keep = torch.ones(n, dtype=torch.bool, device=magnitudes.device)
    keep[order[:k]] = False
    return keep


def prune_by_magnitude(w: torch.Tensor, sparsity: float) -> torch.Tensor:
    """The keep-mask that prunes the ``floor(sparsity * w.numel())`` smallest-magnitude weights of ``w``."""
    # abs() makes a new tensor: the caller's weights stay untouched.
    a = w.detach().abs().flatten()
    return _keep_mask(a, sparsity).reshape(w.shape)


def prune_global(weights: list[torch.Tensor], sparsity: float) -> list[torch.Tensor]:
    """Keep-masks that prune the ``floor(sparsity * total)`` smallest magnitudes across all tensors."""
    # One ranking over every weight: layers compete, so the budget goes where weights are small.
    flat = torch.cat([w.detach().abs().flatten() for w in weights])
    keep = _keep_mask(flat, sparsity)
    sizes = [w.numel() for w in weights]
    return [part.reshape(w.shape) for part, w in zip(keep.split(sizes), weights, strict=True)]
