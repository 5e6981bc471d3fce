"""Causal (masked) self-attention: no position may look at the future (reference solution)."""

import math

import torch


def causal_mask(length: int, device: torch.device | None = None) -> torch.Tensor:
    """The boolean ``(length, length)`` causal mask, ``True`` where attention is allowed."""
    # Row i keeps columns 0..i: the lower triangle, diagonal included (a token sees itself).
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def causal_attention(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor) -> torch.Tensor:
    """Single-head causal self-attention."""
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    allowed = causal_mask(x.shape[-2], device=x.device)
    # -inf before the softmax gives the future exactly zero weight AND lets the remaining
    # weights renormalise to 1; zeroing weights after the softmax would do neither correctly.
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
