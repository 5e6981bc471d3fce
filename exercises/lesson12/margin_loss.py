"""Training a knowledge-graph embedding: negative sampling and the margin ranking loss.

A knowledge graph lists only true facts, so the false ones a model must learn to score low
are made up: each true triple is *corrupted* by swapping its head or its tail for a random
entity. The margin ranking loss then asks every true triple to outscore its corrupted twin
by at least ``margin``:

    loss_i = max(0, margin - (pos_i - neg_i))        (scores: higher = more plausible)

which is ``F.margin_ranking_loss(pos, neg, target=ones, margin=margin)``.

Write it yourself: ``torch.nn.functional.margin_ranking_loss``, ``torch.margin_ranking_loss``
and ``torch.nn.MarginRankingLoss`` are off limits.
"""

import torch


def margin_ranking_loss(
    pos_scores: torch.Tensor, neg_scores: torch.Tensor, margin: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    """Hinge loss that pushes each positive score above its negatives by ``margin``.

    Scores follow the convention "higher = more plausible" (TransE's negated distance,
    DistMult's product). For each pair::

        loss = max(0, margin - (pos - neg))

    Compute the gap ``pos - neg`` first and add the margin afterwards: with large scores,
    ``(margin - pos) + neg`` rounds the margin away in float32.

    Args:
        pos_scores: float tensor of any shape ``S``: scores of the true triples.
        neg_scores: float tensor of shape ``S`` (one negative per positive) or ``S + (K,)``
            (K negatives per positive; each positive is compared with each of its K).
        margin: the gap a positive must keep above its negatives (>= 0).
        reduction: ``"mean"`` (average over all pairs), ``"sum"`` or ``"none"`` (per pair,
            shape of ``neg_scores``).

    Returns:
        A scalar tensor for "mean" and "sum", else a tensor shaped like ``neg_scores``;
        dtype and device of ``pos_scores``; differentiable with respect to both score tensors
        (pairs beyond the margin get gradient 0). Neither input is modified.
    """
    # TODO: if neg_scores has one more dimension, add a trailing axis to pos_scores;
    #       then clamp margin - (pos - neg) at 0 and reduce.
    raise NotImplementedError("TODO: margin_ranking_loss")


def corrupt_triples(triples: torch.Tensor, num_entities: int, generator: torch.Generator) -> torch.Tensor:
    """One negative per triple: replace its head or its tail by a different random entity.

    For every triple, independently:

    * a fair coin (drawn from ``generator``) picks the side: head (column 0) or tail (column 2);
    * that side's entity is replaced by one drawn uniformly from the ``num_entities - 1``
      entities OTHER than the current one, so the result never equals the original triple;
    * the relation and the other side are kept.

    With ``num_entities == 1`` no other entity exists: the triples come back unchanged.
    Randomness: every random number is drawn from ``generator`` (a ``torch.Generator`` on the
    device of ``triples``; pass ``generator=generator, device=triples.device`` to
    ``torch.randint``), never from the global random state, so the same seed gives the same
    negatives and the global state is left untouched. Which draws you make, and in which
    order, is up to you: the checks test the statistics (a fair coin, uniform replacements)
    and the reproducibility, not particular values.

    Args:
        triples: int64 tensor ``(..., 3)`` of ``(head, relation, tail)`` ids.
        num_entities: how many entities exist (ids are ``0 .. num_entities - 1``).
        generator: a ``torch.Generator`` on the device of ``triples``.

    Returns:
        A new int64 tensor shaped like ``triples`` on its device (``triples`` is not modified).
    """
    # TODO: draw the coin and a random offset with torch.randint(..., generator=generator,
    #       device=triples.device); build a copy with the chosen column replaced.
    raise NotImplementedError("TODO: corrupt_triples")
