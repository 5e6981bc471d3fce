"""The position-wise feed-forward network of a transformer, and the dense layer it is a special case of.

After attention has mixed information between positions, every transformer block runs the same
small MLP on each position's vector separately::

    FFN(x_t) = act(x_t W1^T + b1) W2^T + b2        for every position t, with the SAME W1, b1, W2, b2

On a ``(N, L, d_model)`` tensor this is a matmul on the last axis only: positions behave like
extra batch entries, so the layer works for any length ``L`` and never mixes positions.

A fully connected layer over the whole sequence would instead flatten ``(L, d_in)`` into one
vector of ``L * d_in`` numbers (position 0's features first, then position 1's, ...) and connect
every input number to every output number. ``per_position_as_dense`` builds the weight and bias of
the dense layer that computes exactly what a per-position linear layer computes: the same block
``w`` on every diagonal block, zeros everywhere else, and ``b`` repeated once per position.

No built-in is off limits (``torch.relu``, ``torch.nn.functional.gelu``, ``torch.kron`` and
``torch.block_diag`` are all fine).
"""

import torch


def position_wise_ffn(
    x: torch.Tensor,
    w1: torch.Tensor,
    b1: torch.Tensor,
    w2: torch.Tensor,
    b2: torch.Tensor,
    activation: str = "relu",
) -> torch.Tensor:
    """Apply ``act(x W1^T + b1) W2^T + b2`` to every position of ``x``.

    Matches ``nn.Sequential(nn.Linear(d_model, d_ff), act, nn.Linear(d_ff, d_out))`` applied to
    ``x`` with the same weights, which is the feed-forward part of ``nn.TransformerEncoderLayer``.

    Args:
        x: float tensor ``(*, L, d_model)``: any leading batch dimensions (none included), any
            ``L >= 1``.
        w1: ``(d_ff, d_model)``, b1: ``(d_ff,)``: the first linear layer (``nn.Linear`` layout).
        w2: ``(d_out, d_ff)``, b2: ``(d_out,)``: the second linear layer.
        activation: ``"relu"`` or ``"gelu"``. GELU is the exact one, ``x * Phi(x)`` with ``Phi`` the
            standard normal CDF (``F.gelu`` with its default ``approximate="none"``), as in
            ``nn.TransformerEncoderLayer(activation="gelu")``; not the tanh approximation.

    Returns:
        ``(*, L, d_out)``, dtype and device of ``x``, differentiable with respect to every input.
        ``x`` and the weights are not modified.
    """
    # TODO: the first linear layer on the last axis, then the activation (relu or exact gelu).
    # TODO: the second linear layer; no activation after it.
    raise NotImplementedError("TODO: position_wise_ffn")


def per_position_as_dense(w: torch.Tensor, b: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The dense layer over a flattened sequence that equals the linear layer ``(w, b)`` applied per position.

    With ``x`` of shape ``(N, L, d_in)`` and ``(W, B) = per_position_as_dense(w, b, L)``::

        (x.reshape(N, L * d_in) @ W.T + B).reshape(N, L, d_out)  ==  x @ w.T + b

    so ``W[i*d_out:(i+1)*d_out, j*d_in:(j+1)*d_in]`` is ``w`` when ``i == j`` and zero otherwise.

    Args:
        w: ``(d_out, d_in)``, the per-position weight (``nn.Linear`` layout).
        b: ``(d_out,)``, the per-position bias.
        seq_len: ``L >= 1``.

    Returns:
        ``(W, B)`` with ``W`` of shape ``(L * d_out, L * d_in)`` and ``B`` of shape ``(L * d_out,)``,
        dtype and device of ``w``, differentiable with respect to ``w`` and ``b``.
    """
    # TODO: a block-diagonal matrix with w on each of the L diagonal blocks.
    # TODO: the bias of every position, one after the other.
    raise NotImplementedError("TODO: per_position_as_dense")
