"""Batches of variable-length sequences: padding, masks and masked pooling.

Sequences in a batch rarely have the same length. To stack them into one tensor, the short
ones are padded to the longest, and a boolean mask records which steps are real. Anything
that reduces over time (a mean, a max) must then look at the real steps only: the padding
value is arbitrary and must never leak into the result. Build:

- ``pad_sequences``: pad a list of ``(T_i, D)`` tensors into ``(N, T_max, D)`` plus the mask;
- ``masked_mean`` and ``masked_max``: pooling over time that ignores the padding.

Off limits: ``torch.nn.utils.rnn.pad_sequence``, ``torch.nn.utils.rnn.pack_padded_sequence``
and ``torch.nn.utils.rnn.pad_packed_sequence``.
"""

import torch


def pad_sequences(seqs: list[torch.Tensor], padding_value: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad variable-length sequences into one batch tensor and a mask of the real steps.

    ``padded[n, t] = seqs[n][t]`` for ``t < T_n`` and ``padding_value`` after;
    ``mask[n, t] = t < T_n``.

    Args:
        seqs: a non-empty list of ``N`` tensors of shapes ``(T_n, *F)`` (usually ``(T_n, D)``),
            all with the same trailing shape ``F``, dtype and device; ``T_n >= 0``.
        padding_value: the value written into the padded positions.

    Returns:
        ``(padded, mask)``: ``padded`` of shape ``(N, T_max, *F)`` with the dtype and device of
        the sequences, ``T_max = max_n T_n``; ``mask`` a ``torch.bool`` tensor of shape
        ``(N, T_max)`` on the same device.
    """
    # TODO: allocate a tensor full of padding_value on the right device, copy each sequence in, build the mask.
    raise NotImplementedError("TODO: pad_sequences")


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of the real steps only.

    ``out[n] = sum_t mask[n, t] * x[n, t] / sum_t mask[n, t]``

    Args:
        x: float tensor of shape ``(N, T, D)``; values at padded steps are arbitrary (inf and
            nan included) and must not reach the result.
        mask: bool tensor of shape ``(N, T)``, with at least one True per row.

    Returns:
        A tensor of shape ``(N, D)`` with the dtype and device of ``x``.
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
        only to the selected real steps.
    """
    # TODO: replace the padded steps by something that can never win a max (without modifying x), then reduce.
    raise NotImplementedError("TODO: masked_max")
