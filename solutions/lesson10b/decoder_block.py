"""A transformer decoder block, post-LN and pre-LN, with the weights of ``nn.TransformerDecoderLayer``
(reference solution)."""

import math

import torch
import torch.nn.functional as F


def attention(
    x: torch.Tensor,
    source: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor,
    key_padding_mask: torch.Tensor | None = None,
    causal: bool = False,
) -> torch.Tensor:
    """Multi-head attention of the queries of ``x`` ``(N, L, E)`` over ``source`` ``(N, S, E)``."""
    N, L, E = x.shape
    S = source.shape[1]
    H = num_heads
    h = E // H
    w_q, w_k, w_v = in_proj_weight.chunk(3, dim=0)
    b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = (x @ w_q.T + b_q).reshape(N, L, H, h).transpose(1, 2)
    k = (source @ w_k.T + b_k).reshape(N, S, H, h).transpose(1, 2)
    v = (source @ w_v.T + b_v).reshape(N, S, H, h).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(h)  # (N, H, L, S)
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    if causal:
        # Keys after the query's own position are the future; the diagonal stays allowed.
        future = torch.ones(L, S, dtype=torch.bool, device=x.device).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    o = (weights @ v).transpose(1, 2).reshape(N, L, E)
    return o @ out_proj_weight.T + out_proj_bias


def decoder_block(
    x: torch.Tensor,
    memory: torch.Tensor,
    params: dict[str, torch.Tensor],
    num_heads: int,
    norm_first: bool,
    tgt_key_padding_mask: torch.Tensor | None = None,
    memory_key_padding_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """One transformer decoder block, as ``nn.TransformerDecoderLayer`` with ``dropout=0.0``."""
    p = params

    def sa(t: torch.Tensor) -> torch.Tensor:
        # Causal: the block is trained to predict token i + 1 from tokens 0..i.
        w = [p[f"self_attn.{n}"] for n in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")]
        return attention(t, t, num_heads, *w, key_padding_mask=tgt_key_padding_mask, causal=True)

    def ca(t: torch.Tensor) -> torch.Tensor:
        # Queries from the target, keys and values from the memory, which is used as it is; no
        # causal mask, because the whole source sentence is known before decoding starts.
        w = [p[f"multihead_attn.{n}"] for n in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")]
        return attention(t, memory, num_heads, *w, key_padding_mask=memory_key_padding_mask)

    def ff(t: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(t @ p["linear1.weight"].T + p["linear1.bias"])
        return hidden @ p["linear2.weight"].T + p["linear2.bias"]

    def norm(i: int, t: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(t, (t.shape[-1],), p[f"norm{i}.weight"], p[f"norm{i}.bias"], eps=1e-5)

    if norm_first:
        # Pre-LN: each sublayer reads a normalised copy and adds its result to the untouched stream.
        x = x + sa(norm(1, x))
        x = x + ca(norm(2, x))
        x = x + ff(norm(3, x))
    else:
        # Post-LN: add first, then normalise the sum.
        x = norm(1, x + sa(x))
        x = norm(2, x + ca(x))
        x = norm(3, x + ff(x))
    return x
