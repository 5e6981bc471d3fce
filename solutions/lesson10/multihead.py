"""Multi-head self-attention with the weights of ``torch.nn.MultiheadAttention`` (reference solution)."""

import math

import torch


def multi_head_self_attention(
    x: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor | None,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor | None,
    causal: bool = False,
    need_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Self-attention of ``x`` with ``num_heads`` heads, in the layout of nn.MultiheadAttention."""
    N, L, E = x.shape
    H = num_heads
    h = E // H

    # One matmul computes all three projections; the rows of in_proj_weight are [W_q; W_k; W_v].
    qkv = x @ in_proj_weight.T
    if in_proj_bias is not None:
        qkv = qkv + in_proj_bias
    q, k, v = qkv.chunk(3, dim=-1)

    def heads(t: torch.Tensor) -> torch.Tensor:
        # Head j owns a contiguous slice of features, so split the LAST axis into (H, h) first
        # and only then move H in front of L; viewing (N, L, E) directly as (N, H, L, h) would
        # mix positions and features.
        return t.reshape(N, L, H, h).transpose(1, 2)

    q, k, v = heads(q), heads(k), heads(v)
    # Each head works in h dimensions, so its dot products are scaled by sqrt(h), not sqrt(E).
    scores = q @ k.transpose(-2, -1) / math.sqrt(h)
    if causal:
        future = torch.ones(L, L, dtype=torch.bool, device=x.device).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    o = weights @ v  # (N, H, L, h)

    # Undo the split: back to (N, L, H, h), then glue the heads side by side.
    o = o.transpose(1, 2).reshape(N, L, E)
    out = o @ out_proj_weight.T
    if out_proj_bias is not None:
        out = out + out_proj_bias
    if need_weights:
        # nn.MultiheadAttention reports the mean over heads by default.
        return out, weights.mean(dim=1)
    return out
