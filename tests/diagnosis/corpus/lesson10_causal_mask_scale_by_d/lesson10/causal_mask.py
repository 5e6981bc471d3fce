"""Causal single-head self-attention."""

import math

import torch


def causal_mask(length: int, device: torch.device | None = None) -> torch.Tensor:
    return torch.tril(torch.ones(length, length, dtype=torch.bool, device=device))


def causal_attention(x, w_q, w_k, w_v):
    q = x @ w_q
    k = x @ w_k
    v = x @ w_v
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / d
    mask = causal_mask(x.shape[-2], device=x.device)
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v
