"""Sinusoidal positional encoding ("Attention Is All You Need") (reference solution)."""

import torch


def sinusoidal_encoding(
    length: int,
    dim: int,
    base: float = 10000.0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | None = None,
) -> torch.Tensor:
    """The ``(length, dim)`` table of sinusoidal position encodings."""
    # The angles pos * freq reach thousands of radians; computing them in float32 loses digits
    # that sin/cos then expose, so build the table in float64 and cast once at the end.
    work = torch.float64
    pos = torch.arange(length, dtype=work, device=device).unsqueeze(1)  # (L, 1)
    # Columns 2i and 2i+1 share the exponent 2i/d: arange with step 2 gives exactly the 2i values.
    two_i = torch.arange(0, dim, 2, dtype=work, device=device)  # ceil(d/2) values
    freq = base ** (-two_i / dim)
    angles = pos * freq  # (L, ceil(d/2))
    pe = torch.empty(length, dim, dtype=work, device=device)
    pe[:, 0::2] = torch.sin(angles)
    # With odd d there is one sine column more than cosine columns: drop the last frequency.
    pe[:, 1::2] = torch.cos(angles[:, : dim // 2])
    return pe.to(dtype)
