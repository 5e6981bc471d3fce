"""Scoring knowledge-graph triples with TransE and DistMult (reference solution)."""

import torch


def _lookup(
    entity_emb: torch.Tensor, relation_emb: torch.Tensor, triples: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # Indexing with the (...)-shaped id tensors keeps any leading batch shape: each lookup
    # is (..., d). Relations index their own matrix, never the entity one.
    h = entity_emb[triples[..., 0]]
    r = relation_emb[triples[..., 1]]
    t = entity_emb[triples[..., 2]]
    return h, r, t


def transe_score(
    entity_emb: torch.Tensor, relation_emb: torch.Tensor, triples: torch.Tensor, p: int = 2
) -> torch.Tensor:
    """TransE plausibility: minus the p-norm of the translation error ``h + r - t``."""
    h, r, t = _lookup(entity_emb, relation_emb, triples)
    # TransE models a relation as a translation: a true fact has t close to h + r.
    diff = h + r - t
    if p == 1:
        # abs() already has gradient 0 at 0, so the L1 case needs no care.
        dist = diff.abs().sum(dim=-1)
    elif p == 2:
        sq = (diff * diff).sum(dim=-1)
        # sqrt'(0) is infinite and inf * 0 = NaN in the backward pass, so a perfectly fitted
        # triple would poison the embeddings. Feed sqrt a harmless 1 where the sum is 0 and
        # select 0 there instead: value and gradient are both exactly 0 at a perfect fit.
        positive = sq > 0
        safe = torch.where(positive, sq, torch.ones_like(sq))
        dist = torch.where(positive, safe.sqrt(), torch.zeros_like(sq))
    else:
        raise ValueError(f"p must be 1 or 2, not {p!r}")
    # Higher must mean more plausible, so the score is the negated distance.
    return -dist


def distmult_score(entity_emb: torch.Tensor, relation_emb: torch.Tensor, triples: torch.Tensor) -> torch.Tensor:
    """DistMult plausibility: the three-way product ``sum_k h_k * r_k * t_k``."""
    h, r, t = _lookup(entity_emb, relation_emb, triples)
    # A bilinear form h^T diag(r) t: the relation weights each embedding dimension.
    return (h * r * t).sum(dim=-1)
