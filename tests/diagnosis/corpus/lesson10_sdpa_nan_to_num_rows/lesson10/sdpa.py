"""Scaled dot-product attention with boolean and causal masks.

A query row with no allowed key is left to become NaN in the softmax and is then replaced by
zeros with nan_to_num; the masked_fill before the softmax already sends no gradient to
disallowed scores, so those rows get zero gradient too.
"""

import math

import torch


def scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    L, S = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = query @ key.transpose(-2, -1) * scale
    allowed = torch.ones(L, S, dtype=torch.bool, device=query.device)
    if is_causal:
        allowed = allowed.tril()
    if attn_mask is not None:
        allowed = allowed & attn_mask
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = torch.nan_to_num(weights, nan=0.0)  # rows with no allowed key
    return weights @ value
