"""Batches of variable-length sequences: padding, truncation, masks and masked pooling.

Sequences in a batch rarely have the same length. To stack them into one tensor, the short
ones are padded, and a boolean mask records which steps are real. Padding goes at the end
(post-padding) or at the front (pre-padding, so that the real steps end at the last
position); a fixed length additionally truncates long sequences to their last steps.
Anything that reduces over time (a mean, a max) must then look at the real steps only: the
padding value is arbitrary and must never leak into the result. Build:

- ``pad_sequences``: pad (and truncate) a list of ``(T_i, *F)`` tensors into
  ``(N, T, *F)`` plus the mask;
- ``masked_mean`` and ``masked_max``: pooling over time that ignores the padding.

Off limits: ``torch.nn.utils.rnn.pad_sequence``, ``torch.nn.utils.rnn.pack_padded_sequence``
and ``torch.nn.utils.rnn.pad_packed_sequence``.
"""

import torch


def pad_sequences(
    seqs: list[torch.Tensor],
    padding_value: float = 0.0,
    *,
    side: str = "right",
    max_length: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad (and, with ``max_length``, truncate) sequences into one batch tensor and a mask of the real steps.

    The length ``T`` of every row is ``max_n T_n`` when ``max_length`` is None, and exactly
    ``max_length`` otherwise (even when every sequence is shorter). A sequence longer than
    ``T`` keeps its LAST ``T`` steps: ``s[-T:]``. Call ``K_n = min(T_n, T)`` the number of
    steps row ``n`` keeps.

    * ``side="right"`` (post-padding): ``padded[n, t] = s_n[t]`` for ``t < K_n`` and
      ``padding_value`` after; ``mask[n, t] = t < K_n``.
    * ``side="left"`` (pre-padding): the ``K_n`` kept steps fill the LAST ``K_n`` positions
      and ``padding_value`` comes first; ``mask[n, t] = t >= T - K_n``.

    Example: lengths 3 and 1 with ``side="left"`` give the mask rows ``[T, T, T]`` and
    ``[F, F, T]``; with ``max_length=2`` and ``side="right"``, ``[a, b, c]`` becomes ``[b, c]``.

    Args:
        seqs: a non-empty list of ``N`` tensors of shapes ``(T_n, *F)`` (usually ``(T_n, D)``),
            all with the same trailing shape ``F``, dtype and device; ``T_n >= 0``. They are not
            modified.
        padding_value: the value written into the padded positions.
        side: ``"right"`` (pad after the real steps) or ``"left"`` (pad before them).
        max_length: ``None``, or the fixed number of steps ``T >= 1`` of every row.

    Returns:
        ``(padded, mask)``: ``padded`` of shape ``(N, T, *F)`` with the dtype and device of the
        sequences, connected to the autograd graph of the sequences (copy them in with
        ordinary tensor operations: the gradient of a kept step is the upstream gradient at
        its position, and a truncated step gets 0); ``mask`` a ``torch.bool`` tensor of shape
        ``(N, T)`` on the same device.
    """
    # TODO: choose T, allocate a tensor full of padding_value on the right device, copy each
    # sequence's last K_n steps to the end or the start of its row, build the mask to match.
    raise NotImplementedError("TODO: pad_sequences")


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of the real steps only.

    ``out[n] = sum_t mask[n, t] * x[n, t] / sum_t mask[n, t]``

    Args:
        x: float tensor of shape ``(N, T, D)``; values at padded steps are arbitrary (inf and
            nan included) and must not reach the result.
        mask: bool tensor of shape ``(N, T)``, with at least one True per row.

    Returns:
        A tensor of shape ``(N, D)`` with the dtype and device of ``x``, differentiable with
        respect to ``x`` (padded steps get gradient 0). ``x`` is not modified.
    """
    # TODO: zero the padded steps (do not modify x), sum over time, divide by each row's count of real steps.
    raise NotImplementedError("TODO: masked_mean")


def masked_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Maximum over time of the real steps only.

    ``out[n, d] = max over {t : mask[n, t]} of x[n, t, d]``

    Args:
        x: float tensor of shape ``(N, T, D)``; values at padded steps are arbitrary (huge ones
            included) and real values may be very negative.
        mask: bool tensor of shape ``(N, T)``, with at least one True per row.

    Returns:
        A tensor of shape ``(N, D)`` with the dtype and device of ``x``; its gradient flows
        only to the selected real steps. ``x`` is not modified.
    """
    # TODO: replace the padded steps by something that can never win a max (without modifying x), then reduce.
    raise NotImplementedError("TODO: masked_max")
