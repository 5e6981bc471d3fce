"""Cross-attention: the queries come from one sequence, the keys and values from another (reference solution)."""

import math

import torch


def cross_attention(
    x: torch.Tensor,
    memory: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor | None,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor | None,
    key_padding_mask: torch.Tensor | None = None,
    need_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Multi-head attention of the queries of ``x`` over the keys and values of ``memory``."""
    N, L, E = x.shape
    S = memory.shape[1]
    H = num_heads
    h = E // H
    w_q, w_k, w_v = in_proj_weight.chunk(3, dim=0)
    # The queries describe what each target position is looking for; keys and values describe
    # what the memory offers, so they are computed from the memory, not from x.
    q = x @ w_q.T
    k = memory @ w_k.T
    v = memory @ w_v.T
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
        q, k, v = q + b_q, k + b_k, v + b_v

    q = q.reshape(N, L, H, h).transpose(1, 2)  # (N, H, L, h)
    k = k.reshape(N, S, H, h).transpose(1, 2)  # (N, H, S, h)
    v = v.reshape(N, S, H, h).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(h)  # (N, H, L, S)
    if key_padding_mask is not None:
        # A padded memory position is a COLUMN of the score matrix: hide it from every query.
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = (weights @ v).transpose(1, 2).reshape(N, L, E) @ out_proj_weight.T
    if out_proj_bias is not None:
        out = out + out_proj_bias
    if need_weights:
        # nn.MultiheadAttention reports the mean over the heads by default.
        return out, weights.mean(dim=1)
    return out
