"""Causal (masked) self-attention: no position may look at the future.

An autoregressive model predicts token ``t + 1`` from tokens ``0..t``. If attention at position
``t`` could read later positions, training would leak the answer. A causal mask forbids it::

    mask[i, j] = True   if j <= i     (position i may attend to position j)
                 False  if j >  i     (the future)

    mask for L = 4:   T F F F
                      T T F F
                      T T T F
                      T T T T

Causal single-head self-attention of ``x`` (shape ``(..., L, E)``) with projection matrices
``W_q, W_k, W_v`` of shape ``(E, D)``::

    Q, K, V = x @ W_q, x @ W_k, x @ W_v                           (..., L, D)
    scores  = Q K^T / sqrt(D), set to -inf where mask is False   (..., L, L)
    out     = softmax(scores, dim=-1) @ V                         (..., L, D)

so ``out[..., t, :]`` depends on ``x[..., 0..t, :]`` only. Every row keeps at least its diagonal,
so no row is fully masked.

Do not call ``torch.nn.functional.scaled_dot_product_attention``, ``torch.nn.MultiheadAttention``
or ``nn.Transformer.generate_square_subsequent_mask``; ``torch.tril``/``torch.triu`` and
``torch.softmax`` are fine.
"""

import torch


def causal_mask(length: int, device: torch.device | None = None) -> torch.Tensor:
    """The boolean ``(length, length)`` causal mask, ``True`` where attention is allowed.

    Args:
        length: ``L``, the sequence length.
        device: device of the mask (``None``: the default device).

    Returns:
        A ``torch.bool`` tensor of shape ``(L, L)`` with ``mask[i, j] = (j <= i)``.
    """
    # TODO: the lower triangle (diagonal included) of an L x L matrix of True.
    raise NotImplementedError("TODO: causal_mask")


def causal_attention(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor) -> torch.Tensor:
    """Single-head causal self-attention.

    Args:
        x: float tensor ``(..., L, E)``.
        w_q: query projection ``(E, D)``.
        w_k: key projection ``(E, D)``.
        w_v: value projection ``(E, D)``.

    Returns:
        A tensor ``(..., L, D)`` (dtype and device of ``x``) whose row ``t`` depends only on
        rows ``0..t`` of ``x``: changing later rows leaves it exactly unchanged, and its
        gradient with respect to every later row is exactly 0. Differentiable with respect
        to ``x`` and the three projections; ``x`` is not modified.
    """
    # TODO: project x to Q, K, V; scaled scores; mask the future with -inf (use causal_mask on
    # x's device) BEFORE the softmax; weights @ V.
    raise NotImplementedError("TODO: causal_attention")
