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
    """Stack ``(T_i, *F)`` tensors into ``(N, T, *F)`` plus a ``(N, T)`` mask of real steps."""
    first = seqs[0]
    t_max = max(s.shape[0] for s in seqs) if max_length is None else max_length
    # Fill first, then copy each sequence into its row: whatever stays behind is padding.
    padded = first.new_full((len(seqs), t_max, *first.shape[1:]), padding_value)
    kept = []
    for n, s in enumerate(seqs):
        # Truncation keeps the END of a long sequence: the most recent steps are what a
        # recurrent model's final state should have read last.
        s = s[max(s.shape[0] - t_max, 0) :]
        k = s.shape[0]
        if side == "left":
            # Pre-padding: the real steps end exactly at the last position.
            padded[n, t_max - k :] = s
        else:
            padded[n, :k] = s
        kept.append(k)
    lengths = torch.tensor(kept, device=first.device)
    steps = torch.arange(t_max, device=first.device)[None, :]
    # A comparison of a (1, T) range with an (N, 1) column of lengths, broadcast: the real
    # steps are the last K_n of each row after pre-padding, the first K_n after post-padding.
    if side == "left":
        return padded, steps >= (t_max - lengths)[:, None]
    return padded, steps < lengths[:, None]


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average ``x`` over time, counting only the steps where ``mask`` is True."""
    m = mask.unsqueeze(-1)  # (N, T, 1) broadcasts over the features
    # Zero the padding before summing (its value is arbitrary). torch.where selects, so even
    # an inf or nan in the padding cannot leak; multiplying by the mask would give inf * 0 = nan.
    total = torch.where(m, x, x.new_zeros(())).sum(dim=1)
    # Divide by each row's own number of real steps, not by T.
    count = m.sum(dim=1).to(x.dtype)
    return total / count


def masked_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Maximum of ``x`` over time, over the steps where ``mask`` is True only."""
    # -inf loses to every real value, however negative; a finite stand-in such as -1e9
    # would win against real values below it. masked_fill is out of place: x is untouched.
    filled = x.masked_fill(~mask.unsqueeze(-1), float("-inf"))
    return filled.max(dim=1).values
