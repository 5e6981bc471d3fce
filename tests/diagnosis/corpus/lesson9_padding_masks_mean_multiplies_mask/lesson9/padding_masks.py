"""Padding, truncation, masks and masked pooling for variable-length sequences."""

import torch


def pad_sequences(seqs, padding_value=0.0, *, side="right", max_length=None):
    T = max(s.shape[0] for s in seqs) if max_length is None else max_length
    ref = seqs[0]
    N = len(seqs)
    padded = torch.full((N, T, *ref.shape[1:]), padding_value, dtype=ref.dtype, device=ref.device)
    mask = torch.zeros((N, T), dtype=torch.bool, device=ref.device)
    for n, s in enumerate(seqs):
        K = min(s.shape[0], T)
        if K == 0:
            continue
        kept = s[s.shape[0] - K :]
        if side == "right":
            padded[n, :K] = kept
            mask[n, :K] = True
        else:
            padded[n, T - K :] = kept
            mask[n, T - K :] = True
    return padded, mask


def masked_mean(x, mask):
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(dim=1) / m.sum(dim=1)


def masked_max(x, mask):
    m = mask.unsqueeze(-1)
    neg_inf = torch.full((), float("-inf"), dtype=x.dtype, device=x.device)
    return torch.where(m, x, neg_inf).max(dim=1).values
