"""A transformer decoder block, post-LN and pre-LN, with the weights of ``nn.TransformerDecoderLayer``.

A decoder block has three sublayers, each wrapped in a residual connection and a LayerNorm:

1. causal multi-head self-attention over the target sequence ``x`` (position ``i`` reads
   positions ``0..i`` only, so the block can be trained to predict the next token);
2. cross-attention: queries from ``x``, keys and values from the encoder's output ``memory``
   (not causal: the whole source is known);
3. the position-wise feed-forward network with a ReLU.

Dropout is off. With ``SA``, ``CA``, ``FF`` the three sublayers and ``LN1``, ``LN2``, ``LN3`` the
three layer norms (``LN`` over the last axis, biased variance, ``eps = 1e-5``)::

    post-LN (norm_first=False):             pre-LN (norm_first=True):
        x = LN1(x + SA(x))                      x = x + SA(LN1(x))
        x = LN2(x + CA(x, memory))              x = x + CA(LN2(x), memory)
        x = LN3(x + FF(x))                      x = x + FF(LN3(x))

``memory`` enters the block as it is: the decoder never normalises it. Both attentions follow
``nn.MultiheadAttention`` (``in_proj_weight`` ``(3E, E)`` stacks the query, key and value
projections; ``H`` heads of width ``E / H``, each scaled by ``1 / sqrt(E / H)``).

Padding masks use PyTorch's convention, True = padding: ``tgt_key_padding_mask`` ``(N, L)`` hides
padded target positions as keys of the self-attention, ``memory_key_padding_mask`` ``(N, S)`` hides
padded memory positions as keys of the cross-attention. Every sequence has at least one position
that is not padding, and padding only occurs at the end of a sequence.

The result must match ``nn.TransformerDecoderLayer(E, H, d_ff, dropout=0.0, batch_first=True,
norm_first=...)`` holding the same weights, called as ``layer(x, memory, tgt_mask=causal,
tgt_key_padding_mask=..., memory_key_padding_mask=...)`` with ``causal`` the ``(L, L)`` boolean
mask that is True above the diagonal (True = not allowed in ``nn.MultiheadAttention``).

Off limits: ``torch.nn.TransformerDecoderLayer``, ``torch.nn.TransformerDecoder``,
``torch.nn.Transformer`` (including ``generate_square_subsequent_mask``), ``torch.nn.MultiheadAttention``,
``torch.nn.functional.multi_head_attention_forward`` and
``torch.nn.functional.scaled_dot_product_attention``. ``torch.softmax``, ``torch.tril``/``torch.triu``
and ``torch.nn.functional.layer_norm`` are fine.
Inputs of size 100 give attention scores in the thousands: the softmax must stay finite there
(``torch.softmax`` does; a hand-written ``exp`` without subtracting the row maximum does not).
"""

import torch


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
    """A helper (not checked on its own): multi-head attention of the queries of ``x`` over ``source``.

    ``x`` ``(N, L, E)`` gives the queries, ``source`` ``(N, S, E)`` the keys and values (pass
    ``x`` itself for self-attention). ``key_padding_mask``: ``(N, S)`` bool, True = padding.
    ``causal``: query ``i`` may only read keys ``j <= i``. Returns ``(N, L, E)``.
    """
    # TODO: queries from x, keys and values from source; heads; scaled scores; the masks; softmax;
    #       weighted sum; merge the heads; output projection (your cross_attention, plus a causal mask).
    raise NotImplementedError("TODO: attention")


def decoder_block(
    x: torch.Tensor,
    memory: torch.Tensor,
    params: dict[str, torch.Tensor],
    num_heads: int,
    norm_first: bool,
    tgt_key_padding_mask: torch.Tensor | None = None,
    memory_key_padding_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """One transformer decoder block, as ``nn.TransformerDecoderLayer`` with ``dropout=0.0``.

    Args:
        x: float tensor ``(N, L, E)``, the target sequence (batch first).
        memory: float tensor ``(N, S, E)``, the encoder's output; ``S`` may differ from ``L``.
        params: the layer's weights under the names of its ``state_dict()``:
            ``"self_attn.in_proj_weight"`` ``(3E, E)``, ``"self_attn.in_proj_bias"`` ``(3E,)``,
            ``"self_attn.out_proj.weight"`` ``(E, E)``, ``"self_attn.out_proj.bias"`` ``(E,)``,
            the same four under ``"multihead_attn."`` for the cross-attention,
            ``"linear1.weight"`` ``(d_ff, E)``, ``"linear1.bias"`` ``(d_ff,)``,
            ``"linear2.weight"`` ``(E, d_ff)``, ``"linear2.bias"`` ``(E,)``, and
            ``"norm1.weight"``, ``"norm1.bias"``, ..., ``"norm3.bias"`` ``(E,)`` each
            (``norm1`` for the self-attention, ``norm2`` for the cross-attention, ``norm3`` for
            the feed-forward sublayer).
        num_heads: ``H``; ``E`` is divisible by it.
        norm_first: False for post-LN, True for pre-LN.
        tgt_key_padding_mask: ``(N, L)`` bool, True where a target position is padding; or ``None``.
        memory_key_padding_mask: ``(N, S)`` bool, True where a memory position is padding; or ``None``.

    Returns:
        ``(N, L, E)``, dtype and device of ``x``, differentiable with respect to ``x``, ``memory``
        and every parameter. No input is modified.
    """
    # TODO: the causal self-attention sublayer (norm1), then the cross-attention sublayer (norm2),
    #       then the feed-forward sublayer (norm3), each with its residual connection.
    raise NotImplementedError("TODO: decoder_block")
