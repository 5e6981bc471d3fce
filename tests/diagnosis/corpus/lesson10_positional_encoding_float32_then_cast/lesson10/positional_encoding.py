"""Sinusoidal positional encoding."""

import torch


def sinusoidal_encoding(length, dim, base=10000.0, dtype=torch.float32, device=None):
    pos = torch.arange(length, dtype=torch.float32, device=device).unsqueeze(1)
    j = torch.arange(dim, device=device)
    exponent = (2 * (j // 2)).to(torch.float32) / dim
    freq = base ** (-exponent)
    angles = pos * freq
    pe = torch.where(j % 2 == 0, torch.sin(angles), torch.cos(angles))
    return pe.to(dtype)
