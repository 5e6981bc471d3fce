"""Evaluating link prediction: filtered ranks, mean reciprocal rank and Hits@k.

For a test triple ``(h, r, ?)`` the model scores every entity as a candidate tail
(higher = more plausible). The *rank* of the true tail is its position in that list.

Other true tails of ``(h, r, ?)`` (known from the training, validation or test data) would
push the true tail down although the model is right about them, so the *filtered* setting
removes them from the competition before ranking.

Ties: candidates scoring exactly the same as the true tail share the positions they span, so
the true tail gets the MEAN of its best and worst possible rank:

    rank = 1 + #{better} + #{tied} / 2

where "better" and "tied" count the unfiltered candidates other than the true tail itself
(a constant scorer thus gets the middle rank, not rank 1).

Count comparisons, do not sort: ``torch.sort``, ``torch.argsort`` and ``torch.topk`` (and
their ``Tensor`` methods) are off limits: a sort breaks ties arbitrarily.
"""

import torch


def ranks_filtered(scores: torch.Tensor, target: torch.Tensor, known: torch.Tensor | None = None) -> torch.Tensor:
    """Filtered rank of each true tail among all candidate entities, ties given the mean rank.

    ``known[..., c]`` marks candidate ``c`` as another true answer of that query: it is left
    out of the comparison. The true tail itself is always ranked, even when ``known`` marks it.

    Args:
        scores: float tensor ``(..., E)``: the score of every candidate entity for each query.
        target: int64 tensor ``(...)``: the id of the true tail of each query.
        known: bool tensor ``(..., E)`` of known true tails to filter out, or ``None`` for
            raw (unfiltered) ranks.

    Returns:
        Float tensor ``(...)`` with the dtype and device of ``scores``: ranks from 1 to ``E``
        (halves occur with ties). Scores may be +-inf. No input is modified (filter by leaving
        candidates out of the comparison, not by writing into ``scores``).
    """
    # TODO: pick each query's true score with gather, compare it with every candidate,
    #       drop the filtered candidates and the target itself, count better and tied ones.
    raise NotImplementedError("TODO: ranks_filtered")


def mrr(ranks: torch.Tensor) -> torch.Tensor:
    """Mean reciprocal rank: the average of ``1 / rank`` over all queries.

    Args:
        ranks: float tensor of any shape, values >= 1.

    Returns:
        A scalar tensor (shape ``()``) with the dtype and device of ``ranks``, in (0, 1].
    """
    # TODO: average the reciprocals (not the reciprocal of the average).
    raise NotImplementedError("TODO: mrr")


def hits_at_k(ranks: torch.Tensor, k: int) -> torch.Tensor:
    """Hits@k: the fraction of queries whose true answer ranks in the top ``k`` (``rank <= k``).

    Args:
        ranks: float tensor of any shape, values >= 1.
        k: the cut-off, an integer >= 1.

    Returns:
        A scalar tensor (shape ``()``) with the dtype and device of ``ranks``, in [0, 1].
    """
    # TODO: the mean of (ranks <= k) as a float of the dtype of ranks.
    raise NotImplementedError("TODO: hits_at_k")
