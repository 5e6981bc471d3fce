"""Cross-attention: the queries come from one sequence, the keys and values from another.

In an encoder-decoder transformer the decoder reads the encoder's output, the "memory", through
cross-attention. The decoder positions ask the questions; the memory positions answer them::

    x       (N, L, E)   the decoder's sequence: one query per target position
    memory  (N, S, E)   the encoder's output: one key and one value per source position

    Q = x W_q^T + b_q            (N, L, E)
    K = memory W_k^T + b_k       (N, S, E)
    V = memory W_v^T + b_v       (N, S, E)
    with in_proj_weight = [W_q; W_k; W_v] (3E, E) and in_proj_bias = [b_q; b_k; b_v] (3E,)

    per head j (H heads of width h = E / H, split along the features as in lesson 10):
        A_j = softmax(Q_j K_j^T / sqrt(h))   (N, H, L, S): one row per query, one column per memory position
        O_j = A_j V_j                         (N, H, L, h)
    out = concat_heads(O) W_o^T + b_o        (N, L, E)

``L`` and ``S`` need not be equal. Nothing here is causal: every query may read the whole memory.
A memory padding mask hides padded source positions: ``key_padding_mask[n, s] = True`` means memory
position ``s`` of sequence ``n`` is padding, so its score is set to minus infinity for every query
of that sequence. Every memory sequence has at least one position that is not padding.

The result must match ``nn.MultiheadAttention(E, H, batch_first=True)`` called as
``mha(x, memory, memory, key_padding_mask=key_padding_mask)`` with the same weights.

Off limits: ``torch.nn.MultiheadAttention``, ``torch.nn.functional.multi_head_attention_forward``
and ``torch.nn.functional.scaled_dot_product_attention``; ``torch.softmax`` is fine.
Inputs of size 100 give attention scores in the thousands: the softmax must stay finite there
(``torch.softmax`` does; a hand-written ``exp`` without subtracting the row maximum does not).
"""

import torch


def cross_attention(
    x: torch.Tensor,
    memory: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor | None,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor | None,
    key_padding_mask: torch.Tensor | None = None,
    need_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Multi-head attention of the queries of ``x`` over the keys and values of ``memory``.

    Args:
        x: float tensor ``(N, L, E)``, the sequence that asks (the queries).
        memory: float tensor ``(N, S, E)``, the sequence that is read (the keys and values).
        num_heads: ``H``; ``E`` is divisible by it.
        in_proj_weight: ``(3E, E)``: the query, key and value projections stacked in that order.
        in_proj_bias: ``(3E,)`` or ``None`` (no bias).
        out_proj_weight: ``(E, E)``, the output projection.
        out_proj_bias: ``(E,)`` or ``None``.
        key_padding_mask: ``(N, S)`` bool, True where a memory position is padding; or ``None``.
        need_weights: if True, also return the attention weights averaged over the heads.

    Returns:
        ``out`` ``(N, L, E)``, or ``(out, weights)`` with ``weights`` ``(N, L, S)`` when
        ``need_weights`` is True. Dtype and device of ``x``; differentiable with respect to ``x``,
        ``memory`` and every weight. No input is modified.
    """
    # TODO: queries from x, keys and values from memory (the three row blocks of in_proj_weight).
    # TODO: split into heads, scaled scores (N, H, L, S), hide padded memory positions, softmax over S.
    # TODO: weighted sum of the values, merge the heads, output projection (and the averaged weights).
    raise NotImplementedError("TODO: cross_attention")
