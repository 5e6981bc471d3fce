"""Nearest neighbours in an embedding space by cosine similarity (reference solution)."""

import torch


def cosine_neighbours(emb: torch.Tensor, query: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` items most cosine-similar to each queried item, the item itself excluded."""
    flat = query.reshape(-1)
    # Normalise each row once; cosine similarity is then a plain dot product. Clamping the
    # norm keeps a zero row at zero (0 / tiny = 0) instead of 0 / 0 = nan, so it scores 0
    # against everything.
    norms = torch.linalg.vector_norm(emb, dim=1, keepdim=True)
    unit = emb / norms.clamp_min(torch.finfo(emb.dtype).tiny)
    sims = unit[flat] @ unit.T  # (Q, n)
    # The item always matches itself best; push it below every real score (-inf, not 0:
    # genuine similarities can be negative).
    rows = torch.arange(flat.shape[0], device=emb.device)
    sims = sims.index_put((rows, flat), torch.tensor(float("-inf"), dtype=sims.dtype, device=sims.device))
    # A stable sort keeps equal scores in index order, so ties go to the lower index
    # (torch.topk promises no order among ties).
    order = torch.sort(sims, dim=1, descending=True, stable=True)
    idx = order.indices[:, :k]
    vals = order.values[:, :k]
    return idx.reshape(*query.shape, k), vals.reshape(*query.shape, k)
