"""Word2vec skip-gram with negative sampling: training pairs, the noise distribution and the loss (reference solution)."""

import torch
import torch.nn.functional as F


def skipgram_pairs(ids: torch.Tensor, window: int) -> torch.Tensor:
    """All (center, context) id pairs within ``window`` positions, centers in order, contexts left to right."""
    length = ids.shape[0]
    offsets = torch.arange(-window, window + 1, device=ids.device)
    offsets = offsets[offsets != 0]  # a word is not its own context
    pos = torch.arange(length, device=ids.device)
    ctx = pos[:, None] + offsets[None, :]
    # Near the ends the window is cut short; a negative position must not wrap around to the
    # end of the sentence the way Python indexing would.
    valid = (ctx >= 0) & (ctx < length)
    # Boolean indexing walks row by row, so the pairs come out center by center and, within a
    # center, in increasing context position.
    centers = pos[:, None].expand_as(ctx)[valid]
    contexts = ctx[valid]
    # The pairs hold token ids, not positions: the model learns about words.
    return torch.stack([ids[centers], ids[contexts]], dim=1)


def noise_distribution(counts: torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """Unigram counts raised to ``power`` and normalised to probabilities."""
    # The 3/4 power flattens the distribution: frequent words are drawn less often than their
    # share of the text, rare ones more often.
    weights = counts**power
    return weights / weights.sum()


def sgns_loss(
    in_emb: torch.Tensor,
    out_emb: torch.Tensor,
    center: torch.Tensor,
    context: torch.Tensor,
    negatives: torch.Tensor,
) -> torch.Tensor:
    """Mean negative-sampling loss of a batch of (center, context) pairs with k negatives each."""
    v = in_emb[center]  # (B, D): the center words, from the input table
    u_pos = out_emb[context]  # (B, D): the true contexts, from the output table
    u_neg = out_emb[negatives]  # (B, K, D): the sampled noise words
    pos_score = (v * u_pos).sum(dim=-1)
    neg_score = (u_neg * v[:, None, :]).sum(dim=-1)
    # log(sigmoid(s)) computed as one stable function: sigmoid(-1e4) is 0 in floating point,
    # and log(0) = -inf, while logsigmoid(-1e4) = -1e4 exactly.
    loss = -F.logsigmoid(pos_score) - F.logsigmoid(-neg_score).sum(dim=-1)
    return loss.mean()
