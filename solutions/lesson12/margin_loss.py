"""Training a knowledge-graph embedding: negative sampling and the margin ranking loss (reference solution)."""

import torch


def margin_ranking_loss(
    pos_scores: torch.Tensor, neg_scores: torch.Tensor, margin: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    """Hinge loss that pushes each positive score above its negatives by ``margin``."""
    pos = pos_scores
    if neg_scores.dim() == pos_scores.dim() + 1:
        # K negatives per positive: without the trailing axis, (N,) against (N, K) would
        # broadcast along the wrong dimension (and silently "work" when N == K).
        pos = pos_scores.unsqueeze(-1)
    # The gap first: margin - pos + neg evaluated left to right loses a small margin next to
    # large scores in float32, while pos - neg of two close scores is exact.
    gap = pos - neg_scores
    # Pairs already separated by the margin cost nothing and send no gradient.
    losses = torch.clamp(margin - gap, min=0)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def corrupt_triples(triples: torch.Tensor, num_entities: int, generator: torch.Generator) -> torch.Tensor:
    """One negative per triple: replace its head or its tail by a different random entity."""
    # A copy: the caller's positives must survive untouched.
    out = triples.clone()
    if num_entities < 2:
        # Only one entity exists, so any "corruption" would give back the same triple.
        return out
    shape = triples.shape[:-1]
    dev = triples.device
    corrupt_head = torch.randint(0, 2, shape, generator=generator, device=dev) == 1
    heads, tails = triples[..., 0], triples[..., 2]
    current = torch.where(corrupt_head, heads, tails)
    # Draw from the num_entities - 1 other ids, then skip over the current one: ids at or
    # above it move up by one. Every other entity keeps probability 1 / (num_entities - 1);
    # a resample-on-collision loop or "(x + 1) % n" would bias or repeat the original.
    new = torch.randint(0, num_entities - 1, shape, generator=generator, device=dev)
    new = new + (new >= current).to(new.dtype)
    out[..., 0] = torch.where(corrupt_head, new, heads)
    out[..., 2] = torch.where(corrupt_head, tails, new)
    return out
