"""Evaluating link prediction: filtered ranks, mean reciprocal rank and Hits@k (reference solution)."""

import torch


def ranks_filtered(scores: torch.Tensor, target: torch.Tensor, known: torch.Tensor | None = None) -> torch.Tensor:
    """Filtered rank of each true tail among all candidate entities, ties given the mean rank."""
    true_score = scores.gather(-1, target.unsqueeze(-1))  # (..., 1), broadcasts over candidates
    num_candidates = scores.shape[-1]
    ids = torch.arange(num_candidates, device=scores.device)
    # The target never competes with itself, filtered or not.
    competes = ids != target.unsqueeze(-1)
    if known is not None:
        # Filtering removes candidates from the comparison rather than overwriting their
        # scores with -inf: a target scored -inf would otherwise tie with everything filtered.
        competes = competes & ~known
    better = ((scores > true_score) & competes).sum(dim=-1)
    tied = ((scores == true_score) & competes).sum(dim=-1)
    # With t ties the target could sit anywhere from 1 + better to 1 + better + t; the mean
    # of that range is the one choice that neither flatters nor punishes a constant scorer.
    return 1 + better.to(scores.dtype) + tied.to(scores.dtype) / 2


def mrr(ranks: torch.Tensor) -> torch.Tensor:
    """Mean reciprocal rank: the average of ``1 / rank`` over all queries."""
    # The reciprocal first: 1/mean(rank) would let a single rank of 10,000 dominate.
    return ranks.reciprocal().mean()


def hits_at_k(ranks: torch.Tensor, k: int) -> torch.Tensor:
    """Hits@k: the fraction of queries whose true answer ranks in the top ``k`` (``rank <= k``)."""
    # A comparison gives bools; the mean needs the float dtype of the ranks.
    return (ranks <= k).to(ranks.dtype).mean()
