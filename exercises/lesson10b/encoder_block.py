"""A transformer encoder block, post-LN and pre-LN, with the weights of ``nn.TransformerEncoderLayer``.

An encoder block has two sublayers, each wrapped in a residual connection and a LayerNorm:
multi-head self-attention (positions exchange information) and the position-wise feed-forward
network (each position is processed on its own). Dropout is off. With ``SA`` the self-attention,
``FF`` the feed-forward network and ``LN1``, ``LN2`` the two layer norms::

    post-LN (norm_first=False, the original transformer):
        x = LN1(x + SA(x))
        x = LN2(x + FF(x))

    pre-LN (norm_first=True, the usual modern choice):
        x = x + SA(LN1(x))
        x = x + FF(LN2(x))

where, for a ``(N, L, E)`` input and ``H`` heads of width ``h = E / H`` (as in lesson 10)::

    SA(t) = concat_heads(softmax(Q_j K_j^T / sqrt(h)) V_j) W_o^T + b_o
            with [Q | K | V] = t W_in^T + b_in, split into heads along the features
    FF(t) = act(t W1^T + b1) W2^T + b2          act = ReLU or the exact GELU
    LN(t) = (t - mean) / sqrt(var + 1e-5) * gamma + beta
            mean and biased variance over the last axis (the E features of one position)

A key padding mask hides padded positions from attention: ``key_padding_mask[n, j] = True`` means
position ``j`` of sequence ``n`` is padding, so no query of sequence ``n`` may attend to it (its
score is set to minus infinity before the softmax). Padded positions still get an output, like in
PyTorch; later code ignores it. Every sequence has at least one position that is not padding.

The result must match ``nn.TransformerEncoderLayer(E, H, d_ff, dropout=0.0, batch_first=True,
norm_first=..., activation=...)`` holding the same weights, called as ``layer(x,
src_key_padding_mask=key_padding_mask)``.

Off limits: ``torch.nn.TransformerEncoderLayer``, ``torch.nn.TransformerEncoder``,
``torch.nn.Transformer``, ``torch.nn.MultiheadAttention``,
``torch.nn.functional.multi_head_attention_forward`` and
``torch.nn.functional.scaled_dot_product_attention``: write the attention yourself.
``torch.softmax``, ``torch.nn.functional.layer_norm`` and ``torch.nn.functional.gelu`` are fine.
Inputs of size 100 give attention scores in the thousands: the softmax must stay finite there
(``torch.softmax`` does; a hand-written ``exp`` without subtracting the row maximum does not).
"""

import torch


def self_attention(
    x: torch.Tensor,
    num_heads: int,
    in_proj_weight: torch.Tensor,
    in_proj_bias: torch.Tensor,
    out_proj_weight: torch.Tensor,
    out_proj_bias: torch.Tensor,
    key_padding_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """A helper (not checked on its own): multi-head self-attention of ``x`` ``(N, L, E)`` -> ``(N, L, E)``.

    Weights in the layout of ``nn.MultiheadAttention``: ``in_proj_weight`` ``(3E, E)`` holds the
    query, key and value projections stacked in that order, ``in_proj_bias`` ``(3E,)``,
    ``out_proj_weight`` ``(E, E)``, ``out_proj_bias`` ``(E,)``. ``key_padding_mask``: ``(N, L)``
    bool, True = padding (masked as a key), or ``None``.
    """
    # TODO: project to Q, K, V; split into heads; scaled scores; mask padded keys with -inf;
    #       softmax over the keys; weighted sum of V; merge the heads; output projection.
    raise NotImplementedError("TODO: self_attention")


def encoder_block(
    x: torch.Tensor,
    params: dict[str, torch.Tensor],
    num_heads: int,
    norm_first: bool,
    key_padding_mask: torch.Tensor | None = None,
    activation: str = "relu",
) -> torch.Tensor:
    """One transformer encoder block, as ``nn.TransformerEncoderLayer`` with ``dropout=0.0``.

    Args:
        x: float tensor ``(N, L, E)`` (batch first), ``N >= 1``, ``L >= 1``.
        params: the layer's weights under the names of its ``state_dict()``:
            ``"self_attn.in_proj_weight"`` ``(3E, E)``, ``"self_attn.in_proj_bias"`` ``(3E,)``,
            ``"self_attn.out_proj.weight"`` ``(E, E)``, ``"self_attn.out_proj.bias"`` ``(E,)``,
            ``"linear1.weight"`` ``(d_ff, E)``, ``"linear1.bias"`` ``(d_ff,)``,
            ``"linear2.weight"`` ``(E, d_ff)``, ``"linear2.bias"`` ``(E,)``,
            ``"norm1.weight"``, ``"norm1.bias"``, ``"norm2.weight"``, ``"norm2.bias"`` ``(E,)`` each.
            ``norm1`` belongs to the attention sublayer, ``norm2`` to the feed-forward one.
        num_heads: ``H``; ``E`` is divisible by it.
        norm_first: False for post-LN, True for pre-LN (the formulas in the module docstring).
        key_padding_mask: ``(N, L)`` bool, True where a position is padding; or ``None``.
        activation: ``"relu"`` or ``"gelu"`` (the exact GELU) inside the feed-forward network.

    Returns:
        ``(N, L, E)``, dtype and device of ``x``, differentiable with respect to ``x`` and every
        parameter. ``x``, ``params`` and the mask are not modified.
    """
    # TODO: the attention sublayer with its residual connection and norm1 (order set by norm_first).
    # TODO: the feed-forward sublayer with its residual connection and norm2.
    raise NotImplementedError("TODO: encoder_block")
