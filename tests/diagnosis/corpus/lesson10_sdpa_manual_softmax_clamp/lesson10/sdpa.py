"""Scaled dot-product attention with boolean and causal masks.

The softmax is written by hand: a detached per-row shift (0 for rows with no allowed key),
exp with the disallowed entries forced to exactly 0 by torch.where, and a denominator clamped
away from 0, so a row with no allowed key comes out as zeros with zero gradient and no NaN.
"""

import torch


def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    d = query.size(-1)
    L, S = query.size(-2), key.size(-2)
    factor = d**-0.5 if scale is None else scale
    scores = torch.matmul(query, key.transpose(-1, -2)) * factor
    allowed = torch.ones(L, S, dtype=torch.bool, device=query.device)
    if is_causal:
        rows = torch.arange(L, device=query.device)[:, None]
        cols = torch.arange(S, device=query.device)[None, :]
        allowed = cols <= rows
    if attn_mask is not None:
        allowed = torch.logical_and(allowed, attn_mask)
    allowed = allowed.expand(scores.shape)
    neg_inf = torch.full_like(scores, float("-inf"))
    masked = torch.where(allowed, scores, neg_inf)
    shift = masked.amax(dim=-1, keepdim=True).detach()
    shift = torch.where(torch.isfinite(shift), shift, torch.zeros_like(shift))
    safe = torch.where(allowed, scores - shift, torch.zeros_like(scores))
    e = torch.where(allowed, torch.exp(safe), torch.zeros_like(scores))
    denom = e.sum(dim=-1, keepdim=True).clamp_min(torch.finfo(scores.dtype).tiny)
    return torch.matmul(e / denom, value)
