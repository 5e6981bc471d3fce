"""Multi-head self-attention with the weights of ``torch.nn.MultiheadAttention``.

Input ``x`` has shape ``(N, L, E)`` (batch first); ``H`` heads of size ``h = E / H``::

    Q, K, V = x W_q^T + b_q,  x W_k^T + b_k,  x W_v^T + b_v       each (N, L, E)
        where in_proj_weight = [W_q; W_k; W_v] is (3E, E) and in_proj_bias = [b_q; b_k; b_v] is (3E,)
    split each into H heads:  (N, L, E) -> (N, H, L, h)            head j owns features j*h .. (j+1)*h - 1
    A_j    = softmax(Q_j K_j^T / sqrt(h))                          (N, H, L, L)
    O_j    = A_j V_j                                                (N, H, L, h)
    concat the heads back to (N, L, E), then  out = concat W_o^T + b_o

With ``causal=True`` position ``i`` attends to positions ``0..i`` only; every position keeps at
least itself, so no row is fully masked (``nn.MultiheadAttention`` would return NaN for a query
allowed no key at all). With ``need_weights=True`` the function also returns the attention
weights averaged (not summed) over the heads, ``(N, L, L)``.

The result must match ``nn.MultiheadAttention(E, H, batch_first=True)`` called as ``mha(x, x, x)``
when it holds the same weights. Do not call ``torch.nn.MultiheadAttention``,
``torch.nn.functional.multi_head_attention_forward`` or
``torch.nn.functional.scaled_dot_product_attention``; ``torch.softmax`` is fine.
"""

import torch


def multi_head_self_attention(
    x: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor | None,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor | None,
    causal: bool = False,
    need_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Self-attention of ``x`` with ``num_heads`` heads, in the layout of nn.MultiheadAttention.

    Args:
        x: float tensor ``(N, L, E)``.
        num_heads: ``H``; ``E`` is divisible by it.
        in_proj_weight: ``(3E, E)``: the query, key and value projections stacked in that order.
        in_proj_bias: ``(3E,)`` or ``None`` (no bias).
        out_proj_weight: ``(E, E)``: the output projection (``out_proj.weight``).
        out_proj_bias: ``(E,)`` or ``None``.
        causal: if True, position ``i`` may only attend to positions ``j <= i``.
        need_weights: if True, also return the attention weights averaged over the heads.

    Returns:
        ``out`` of shape ``(N, L, E)``, or ``(out, weights)`` with ``weights`` of shape
        ``(N, L, L)`` when ``need_weights`` is True. Same dtype and device as ``x``;
        ``out`` is differentiable with respect to ``x`` and all four weights. Inputs of size
        100 (scores in the thousands) must give finite results; no input is modified.
    """
    # TODO: project x to Q, K, V with the three row blocks of in_proj_weight (and bias).
    # TODO: split the feature axis into heads: (N, L, E) -> (N, H, L, h).
    # TODO: scaled dot-product attention per head (with the causal mask if asked).
    # TODO: merge the heads back to (N, L, E) and apply the output projection.
    raise NotImplementedError("TODO: multi_head_self_attention")
