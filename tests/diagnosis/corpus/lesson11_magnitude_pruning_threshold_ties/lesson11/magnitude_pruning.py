"""Unstructured magnitude pruning, per tensor and global."""

import torch


def _keep_mask(magnitudes: torch.Tensor, sparsity: float) -> torch.Tensor:
    n = magnitudes.numel()
    k = int(sparsity * n)
    if k == 0:
        return torch.ones(n, dtype=torch.bool, device=magnitudes.device)
    threshold = torch.sort(magnitudes).values[k - 1]  # the k-th smallest magnitude
    return magnitudes > threshold


def prune_by_magnitude(w, sparsity):
    return _keep_mask(w.abs().flatten(), sparsity).reshape(w.shape)


def prune_global(weights, sparsity):
    keep = _keep_mask(torch.cat([w.abs().flatten() for w in weights]), sparsity)
    masks, start = [], 0
    for w in weights:
        masks.append(keep[start : start + w.numel()].reshape(w.shape))
        start += w.numel()
    return masks
