"""Scaled dot-product attention, the core of every transformer layer.

For queries ``Q`` of shape ``(..., L, d)``, keys ``K`` of shape ``(..., S, d)`` and values ``V`` of
shape ``(..., S, d_v)``::

    scores  = Q @ K^T * scale               (..., L, S),  scale = 1 / sqrt(d) unless given
    scores[..., i, j] = -inf   wherever key j is not allowed for query i
    weights = softmax(scores, dim=-1)       each row sums to 1 over the allowed keys
    output  = weights @ V                   (..., L, d_v)

Which keys are allowed:

* ``attn_mask``: a boolean tensor broadcastable to ``(..., L, S)``; ``True`` means "query i may
  attend to key j" (the convention of ``torch.nn.functional.scaled_dot_product_attention``).
* ``is_causal=True``: query i may attend to keys ``0..i`` only (the lower triangle of an ``(L, S)``
  matrix of ones, diagonal included).
* both given: a key must be allowed by both.

A query row that is allowed NO key at all would be ``softmax`` of a row of ``-inf``, i.e. 0/0 =
NaN. Here such a row's output is all zeros, and no gradient flows through it (zero gradient
for that query and nothing from it into the keys and values), as in
``torch.nn.functional.scaled_dot_product_attention``. (``nn.MultiheadAttention`` differs: it
returns NaN for such a row.)

You may use ``torch.softmax`` and ``torch.matmul``; do not call
``torch.nn.functional.scaled_dot_product_attention``, ``multi_head_attention_forward`` or
``torch.nn.MultiheadAttention``.
"""

import torch


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> torch.Tensor:
    """softmax(Q K^T * scale + mask) V, with a boolean mask and an optional causal mask.

    Args:
        query: float tensor ``(..., L, d)``.
        key: float tensor ``(..., S, d)`` with the same leading dimensions as ``query``.
        value: float tensor ``(..., S, d_v)``.
        attn_mask: optional bool tensor broadcastable to ``(..., L, S)``; ``True`` = may attend.
        is_causal: if True, query ``i`` may only attend to keys ``j <= i``.
        scale: the factor applied to ``Q K^T``; ``None`` means ``1 / sqrt(d)`` with ``d`` the
            last dimension of ``query``.

    Returns:
        A tensor ``(..., L, d_v)`` with the dtype and device of ``query``, differentiable with
        respect to ``query``, ``key`` and ``value``; rows whose query may attend to no key are
        zeros. Scores in the thousands must not overflow. The inputs are not modified.
    """
    # TODO: scores = Q K^T * scale; build the boolean "allowed" mask (attn_mask, causal, or both);
    # fill the disallowed scores with -inf; softmax over the keys; zero the rows with no allowed
    # key; multiply by V.
    raise NotImplementedError("TODO: scaled_dot_product_attention")
