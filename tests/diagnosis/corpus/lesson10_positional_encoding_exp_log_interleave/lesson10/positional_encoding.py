"""Sinusoidal positional encoding.

Frequencies come from exp(-log(base) * 2i / d), computed in float64; the sine and cosine
tables of ceil(d/2) column pairs are interleaved with stack + reshape, and the extra cosine
column of an odd d is cut off before the one cast to the requested dtype.
"""

import math

import torch


def sinusoidal_encoding(length, dim, base=10000.0, dtype=torch.float32, device=None):
    pairs = (dim + 1) // 2
    i = torch.arange(pairs, dtype=torch.float64, device=device)
    inv_freq = torch.exp(-math.log(base) * (2 * i) / dim)
    pos = torch.arange(length, dtype=torch.float64, device=device)
    angles = torch.outer(pos, inv_freq)  # (L, pairs)
    table = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(length, 2 * pairs)
    return table[:, :dim].to(dtype=dtype)
