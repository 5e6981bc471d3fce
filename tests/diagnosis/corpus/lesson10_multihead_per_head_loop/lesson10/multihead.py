"""Multi-head self-attention in the layout of nn.MultiheadAttention.

One projection with the whole (3E, E) matrix, then a Python loop over the heads, each taking
its own column slice of Q, K and V; head outputs are concatenated on the feature axis, and the
averaged weights are a running sum divided by the number of heads.
"""

import math

import torch


def multi_head_self_attention(
    x, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, causal=False, need_weights=False
):
    N, L, E = x.shape
    hd = E // num_heads
    qkv = torch.matmul(x, in_proj_weight.t())
    if in_proj_bias is not None:
        qkv = qkv + in_proj_bias
    q, k, v = qkv[..., :E], qkv[..., E : 2 * E], qkv[..., 2 * E :]
    allowed = None
    if causal:
        pos = torch.arange(L, device=x.device)
        allowed = pos[None, :] <= pos[:, None]
    outs = []
    weight_sum = None
    for j in range(num_heads):
        cols = slice(j * hd, (j + 1) * hd)
        s = torch.matmul(q[..., cols], k[..., cols].transpose(1, 2)) / math.sqrt(hd)
        if allowed is not None:
            s = torch.where(allowed, s, torch.full_like(s, float("-inf")))
        a = torch.softmax(s, dim=-1)
        outs.append(torch.matmul(a, v[..., cols]))
        weight_sum = a if weight_sum is None else weight_sum + a
    out = torch.matmul(torch.cat(outs, dim=-1), out_proj_weight.t())
    if out_proj_bias is not None:
        out = out + out_proj_bias
    if need_weights:
        return out, weight_sum / num_heads
    return out
