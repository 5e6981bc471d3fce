"""Matrix multiplication built from dot products (reference solution)."""

import torch


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Multiply two matrices: ``c[i, j] = sum_r a[i, r] * b[r, j]``."""
    # Check shapes before computing: broadcasting would happily stretch a size-1 dimension
    # and return a result of the wrong meaning instead of an error.
    if a.dim() != 2 or b.dim() != 2:
        raise ValueError(f"matmul needs two 2-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    n, k = a.shape
    if b.shape[0] != k:
        raise ValueError(f"inner sizes differ: a has shape {tuple(a.shape)}, b has shape {tuple(b.shape)}")
    m = b.shape[1]
    # The result lives where the inputs live and keeps their dtype (integers stay integers).
    out = torch.empty(n, m, dtype=a.dtype, device=a.device)
    for i in range(n):
        # Row i as a column (k, 1) times b (k, m): column j holds a[i, r] * b[r, j];
        # summing over r gives every dot product of row i with the columns of b at once.
        out[i] = (a[i].unsqueeze(1) * b).sum(dim=0)
    return out
