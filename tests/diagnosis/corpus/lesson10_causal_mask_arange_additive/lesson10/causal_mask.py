"""Causal single-head self-attention.

The mask compares a column of row indices with a row of column indices; attention adds a
float bias that is 0 where allowed and -inf in the future, and the products are einsums.
"""

import torch


def causal_mask(length: int, device: torch.device | None = None) -> torch.Tensor:
    i = torch.arange(length, device=device)
    return i.unsqueeze(1) >= i.unsqueeze(0)


def causal_attention(x, w_q, w_k, w_v):
    q = torch.einsum("...le,ed->...ld", x, w_q)
    k = torch.einsum("...le,ed->...ld", x, w_k)
    v = torch.einsum("...le,ed->...ld", x, w_v)
    L, D = x.shape[-2], q.shape[-1]
    bias = torch.zeros(L, L, dtype=x.dtype, device=x.device)
    bias = bias.masked_fill(~causal_mask(L, device=x.device), float("-inf"))
    scores = torch.einsum("...id,...jd->...ij", q, k) * D**-0.5 + bias
    return torch.einsum("...ij,...jd->...id", torch.softmax(scores, dim=-1), v)
