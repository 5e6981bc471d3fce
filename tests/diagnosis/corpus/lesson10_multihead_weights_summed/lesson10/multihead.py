"""Multi-head self-attention in the layout of nn.MultiheadAttention."""

import math

import torch


def multi_head_self_attention(
    x, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, causal=False, need_weights=False
):
    N, L, E = x.shape
    H = num_heads
    hd = E // H
    w_q, w_k, w_v = in_proj_weight.chunk(3, dim=0)
    q, k, v = x @ w_q.T, x @ w_k.T, x @ w_v.T
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
        q, k, v = q + b_q, k + b_k, v + b_v

    def split(t):
        return t.reshape(N, L, H, hd).transpose(1, 2)

    q, k, v = split(q), split(k), split(v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
    if causal:
        mask = torch.ones(L, L, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
    attn = torch.softmax(scores, dim=-1)
    heads = attn @ v
    merged = heads.transpose(1, 2).reshape(N, L, E)
    out = merged @ out_proj_weight.T
    if out_proj_bias is not None:
        out = out + out_proj_bias
    if need_weights:
        return out, attn.sum(dim=1)
    return out
