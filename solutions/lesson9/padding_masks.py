"""Batches of variable-length sequences: padding, masks and masked pooling (reference solution)."""

import torch


def pad_sequences(seqs: list[torch.Tensor], padding_value: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack ``(T_i, *F)`` tensors into ``(N, T_max, *F)`` plus a ``(N, T_max)`` mask of real steps."""
    first = seqs[0]
    lengths = torch.tensor([s.shape[0] for s in seqs], device=first.device)
    t_max = int(lengths.max())
    # Fill first, then copy each sequence into its rows: whatever stays behind is padding.
    padded = first.new_full((len(seqs), t_max, *first.shape[1:]), padding_value)
    for n, s in enumerate(seqs):
        padded[n, : s.shape[0]] = s
    # The mask is True at step t of row n exactly when t < length_n: a comparison of a
    # (1, T_max) range with an (N, 1) column of lengths, broadcast.
    mask = torch.arange(t_max, device=first.device)[None, :] < lengths[:, None]
    return padded, mask


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
