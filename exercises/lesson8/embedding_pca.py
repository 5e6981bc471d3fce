"""PCA of an embedding matrix, to see what the learned factors mean.

A trained embedding table has tens of factors per item, too many to look at. Principal
component analysis finds the few orthogonal directions along which the items spread out
most; plotting the items' coordinates on the first two or three of them is how one reads
"taste" axes out of a recommender. Build it from the singular value decomposition of the
centred matrix (``torch.linalg.svd`` is allowed).

Off limits: ``torch.pca_lowrank`` and scikit-learn's ``PCA``.
"""

import torch


def pca(emb: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Top-``k`` principal components of the rows of ``emb``.

    With ``X = emb - mean(emb, rows)`` (the centred matrix) and its thin SVD
    ``X = U diag(S) Vh`` (singular values in decreasing order):

        components = Vh[:k]                          (k, d): orthonormal rows
        coords     = X @ components.T                (n, k): each row's coordinates
        variance_j = S_j**2 / (n - 1)
        ratio      = variance[:k] / sum_j variance_j (k,): share of the total variance

    A component and minus it describe the same axis: either sign is accepted, as long as
    each column of ``coords`` uses the sign of its component.

    Args:
        emb: float tensor of shape ``(n, d)``, one embedding per row, ``n >= 2``.
        k: the number of components, ``1 <= k <= min(n, d)``.

    Returns:
        ``(components, coords, ratio)`` with shapes ``(k, d)``, ``(n, k)`` and ``(k,)``,
        all with the dtype and device of ``emb``; ``ratio`` is non-increasing. ``emb`` is not
        modified. Results must stay accurate for embeddings far from the origin (a mean of
        about 1e6) and for tiny or huge scales (1e-6, 1e6).
    """
    # TODO: centre the rows, take torch.linalg.svd(..., full_matrices=False), keep the first k rows of Vh,
    # project, and turn the squared singular values into variance ratios.
    raise NotImplementedError("TODO: pca")
