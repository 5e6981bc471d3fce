"""A transformer encoder block, post-LN and pre-LN, with the weights of ``nn.TransformerEncoderLayer``
(reference solution)."""

import math

import torch
import torch.nn.functional as F


def self_attention(
    x: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor,
    key_padding_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Multi-head self-attention of ``x`` ``(N, L, E)`` -> ``(N, L, E)``."""
    N, L, E = x.shape
    H = num_heads
    h = E // H
    q, k, v = (x @ in_proj_weight.T + in_proj_bias).chunk(3, dim=-1)
    # Split the features into heads first, then move the head axis in front of the positions.
    q, k, v = (t.reshape(N, L, H, h).transpose(1, 2) for t in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(h)  # (N, H, L, L): queries on rows, keys on columns
    if key_padding_mask is not None:
        # A padded position must not be read by anyone: mask its COLUMN for every query and head.
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    o = (weights @ v).transpose(1, 2).reshape(N, L, E)
    return o @ out_proj_weight.T + out_proj_bias


def _layer_norm(t: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    # Each position is normalised over its own E features, with nn.LayerNorm's default eps.
    return F.layer_norm(t, (t.shape[-1],), weight, bias, eps=1e-5)


def encoder_block(
    x: torch.Tensor,
    params: dict[str, torch.Tensor],
    num_heads: int,
    norm_first: bool,
    key_padding_mask: torch.Tensor | None = None,
    activation: str = "relu",
) -> torch.Tensor:
    """One transformer encoder block, as ``nn.TransformerEncoderLayer`` with ``dropout=0.0``."""
    p = params

    def sa(t: torch.Tensor) -> torch.Tensor:
        return self_attention(
            t,
            num_heads,
            p["self_attn.in_proj_weight"],
            p["self_attn.in_proj_bias"],
            p["self_attn.out_proj.weight"],
            p["self_attn.out_proj.bias"],
            key_padding_mask,
        )

    def ff(t: torch.Tensor) -> torch.Tensor:
        hidden = t @ p["linear1.weight"].T + p["linear1.bias"]
        hidden = F.gelu(hidden) if activation == "gelu" else torch.relu(hidden)
        return hidden @ p["linear2.weight"].T + p["linear2.bias"]

    def norm1(t: torch.Tensor) -> torch.Tensor:
        return _layer_norm(t, p["norm1.weight"], p["norm1.bias"])

    def norm2(t: torch.Tensor) -> torch.Tensor:
        return _layer_norm(t, p["norm2.weight"], p["norm2.bias"])

    if norm_first:
        # Pre-LN: only the sublayer's INPUT is normalised; the residual stream x itself is never
        # rescaled, so every block adds to a clean identity path.
        x = x + sa(norm1(x))
        x = x + ff(norm2(x))
    else:
        # Post-LN: normalise after adding, so the stream is renormalised at the end of each sublayer.
        x = norm1(x + sa(x))
        x = norm2(x + ff(x))
    return x
