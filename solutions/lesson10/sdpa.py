"""Scaled dot-product attention, the core of every transformer layer (reference solution)."""

import math

import torch


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> torch.Tensor:
    """softmax(Q K^T * scale + mask) V, with a boolean mask and an optional causal mask."""
    d = query.shape[-1]
    # Dot products of d-dimensional random vectors grow like sqrt(d); dividing by sqrt(d) keeps
    # the softmax out of its saturated, near one-hot regime where gradients vanish.
    factor = 1.0 / math.sqrt(d) if scale is None else scale
    scores = torch.matmul(query, key.transpose(-2, -1)) * factor

    allowed = None
    if attn_mask is not None:
        allowed = attn_mask
    if is_causal:
        L, S = scores.shape[-2], scores.shape[-1]
        # Built on the inputs' device: a CPU mask could not index a CUDA score tensor.
        causal = torch.ones(L, S, dtype=torch.bool, device=query.device).tril()
        allowed = causal if allowed is None else allowed & causal
    if allowed is None:
        return torch.matmul(torch.softmax(scores, dim=-1), value)

    # exp(-inf) = 0, so a disallowed key gets exactly zero weight.
    scores = scores.masked_fill(~allowed, float("-inf"))
    # A row of only -inf is 0/0 = NaN after the softmax. Overwrite those rows with zeros:
    # masked_fill (unlike multiplying by 0, since NaN * 0 = NaN) removes the NaN, and its
    # backward pass sends exactly zero gradient into the row, so none reaches Q or K either.
    has_key = allowed.any(dim=-1, keepdim=True)
    weights = torch.softmax(scores, dim=-1).masked_fill(~has_key, 0.0)
    return torch.matmul(weights, value)
