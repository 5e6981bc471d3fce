"""Scoring knowledge-graph triples with TransE and DistMult.

A knowledge graph is a set of facts ``(head, relation, tail)``. Each entity ``e`` owns a row
``E[e]`` of an embedding matrix and each relation ``r`` a row ``R[r]`` of another. A scoring
function maps a triple to a number that is HIGHER for facts the model believes:

    TransE:    score(h, r, t) = -|| E[h] + R[r] - E[t] ||_p        (p = 1 or 2)
    DistMult:  score(h, r, t) = sum_k E[h, k] * R[r, k] * E[t, k]

Triples come as an int64 tensor whose last dimension holds ``(head id, relation id, tail id)``;
any leading batch shape is allowed.

Write the norm yourself: ``torch.norm``, ``torch.linalg.norm``, ``torch.linalg.vector_norm``,
``Tensor.norm``, ``torch.dist``, ``torch.cdist`` and ``F.pairwise_distance`` are off limits.
"""

import torch


def transe_score(
    entity_emb: torch.Tensor, relation_emb: torch.Tensor, triples: torch.Tensor, p: int = 2
) -> torch.Tensor:
    """TransE plausibility: minus the p-norm of the translation error ``h + r - t``.

    For a triple with embeddings ``h = E[head]``, ``r = R[relation]``, ``t = E[tail]``::

        p = 1:  score = -sum_k |h_k + r_k - t_k|
        p = 2:  score = -sqrt(sum_k (h_k + r_k - t_k)^2)

    A perfect fit (``h + r == t``) scores exactly 0, the best possible value. There the
    Euclidean norm has no derivative; return the gradient 0 at that point (the subgradient
    torch's own norms use), never NaN.

    Args:
        entity_emb: float tensor ``(num_entities, d)``.
        relation_emb: float tensor ``(num_relations, d)``, same dtype and device.
        triples: int64 tensor ``(..., 3)`` of ``(head, relation, tail)`` ids.
        p: 1 (Manhattan distance) or 2 (Euclidean distance); anything else is a ValueError.

    Returns:
        A tensor of shape ``triples.shape[:-1]`` with the dtype and device of ``entity_emb``,
        differentiable with respect to both embedding matrices (never NaN, see above). No
        input is modified.
    """
    # TODO: look up h, r, t with triples[..., 0], triples[..., 1], triples[..., 2],
    #       then return minus the p-norm of h + r - t over the last dimension.
    raise NotImplementedError("TODO: transe_score")


def distmult_score(entity_emb: torch.Tensor, relation_emb: torch.Tensor, triples: torch.Tensor) -> torch.Tensor:
    """DistMult plausibility: the three-way product ``sum_k h_k * r_k * t_k``.

    Equivalent to ``h^T diag(r) t``, so it is symmetric in head and tail.

    Args:
        entity_emb: float tensor ``(num_entities, d)``.
        relation_emb: float tensor ``(num_relations, d)``, same dtype and device.
        triples: int64 tensor ``(..., 3)`` of ``(head, relation, tail)`` ids.

    Returns:
        A tensor of shape ``triples.shape[:-1]`` with the dtype and device of ``entity_emb``,
        differentiable with respect to both embedding matrices. No input is modified.
    """
    # TODO: look up h, r, t and sum their elementwise product over the embedding dimension.
    raise NotImplementedError("TODO: distmult_score")
