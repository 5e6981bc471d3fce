"""PCA of an embedding matrix through the SVD of the centred matrix (reference solution)."""

import torch


def pca(emb: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Top-``k`` principal components, projected coordinates and explained variance ratios."""
    n = emb.shape[0]
    # PCA describes spread around the mean; without centring, the first "component" mostly
    # points at the mean itself.
    centred = emb - emb.mean(dim=0, keepdim=True)
    # centred = U diag(S) Vh: the rows of Vh are orthonormal directions in embedding space,
    # sorted by the singular values S (largest first). Vh is V transposed: its ROWS are the
    # directions, not its columns.
    _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    components = vh[:k]
    # Coordinates of each centred row along each component (equal to U[:, :k] * S[:k]).
    coords = centred @ components.T
    # The variance along component j is S_j^2 / (n - 1); the ratio divides by the total
    # variance over ALL directions, so it says what share of the spread the top k keep.
    var = s.square() / max(n - 1, 1)
    ratio = var[:k] / var.sum()
    return components, coords, ratio
