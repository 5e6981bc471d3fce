"""Padding, truncation, masks and masked pooling.

Each row is built out of place with torch.cat (kept steps and a block of padding) and the rows
are stacked; the mask compares positions with the kept lengths. The mean is an einsum with a
float mask over a copy where padded steps are replaced by zeros; the max selects the real
steps of each row with boolean indexing.
"""

import torch


def pad_sequences(seqs, padding_value=0.0, *, side="right", max_length=None):
    lengths = [s.shape[0] for s in seqs]
    T = max_length if max_length is not None else max(lengths)
    feat = tuple(seqs[0].shape[1:])
    device = seqs[0].device
    rows, kept_lengths = [], []
    for s in seqs:
        K = min(s.shape[0], T)
        kept = s[s.shape[0] - K :]
        pad = torch.full((T - K, *feat), padding_value, dtype=s.dtype, device=device)
        rows.append(torch.cat([kept, pad]) if side == "right" else torch.cat([pad, kept]))
        kept_lengths.append(K)
    padded = torch.stack(rows)
    positions = torch.arange(T, device=device).unsqueeze(0)
    K = torch.tensor(kept_lengths, device=device).unsqueeze(1)
    mask = positions < K if side == "right" else positions >= T - K
    return padded, mask


def masked_mean(x, mask):
    clean = torch.where(mask.unsqueeze(-1), x, torch.zeros_like(x))
    weights = mask.to(x.dtype)
    return torch.einsum("nt,ntd->nd", weights, clean) / weights.sum(dim=1, keepdim=True)


def masked_max(x, mask):
    return torch.stack([x[n][mask[n]].max(dim=0).values for n in range(x.shape[0])])
