"""Sinusoidal positional encoding ("Attention Is All You Need").

Self-attention treats its input as a set: permuting the positions permutes the outputs. To let
the model know where each token sits, a fixed table ``PE`` of shape ``(L, d)`` is added to the
embeddings. Column pairs share one frequency; the even column holds a sine, the odd one a cosine::

    PE[pos, 2i]     = sin(pos / base^(2i / d))
    PE[pos, 2i + 1] = cos(pos / base^(2i / d))          pos = 0 .. L-1,  base = 10000

Odd ``d``: the formula above still defines every column. Column ``j`` uses the frequency
``base^(-2*(j // 2) / d)`` (with the real, odd ``d``), even ``j`` is a sine and odd ``j`` a cosine,
so the last column is a sine with no cosine partner: ``ceil(d/2)`` sine columns and
``floor(d/2)`` cosine columns.

Precision: the table must be accurate to the dtype it is returned in. Compute it in that
dtype, or in float64 and cast once at the end. A table computed in float32 and converted to
float64 afterwards is only float32-accurate (errors near 1e-5 at position 500) and fails the
float64 checks (rtol 1e-7); float32 tables are checked with float32 tolerances (rtol 1e-4,
atol 1e-5) for lengths up to 64.

No built-in computes this table; write it with ``torch.arange``, ``torch.sin`` and ``torch.cos``.
"""

import torch


def sinusoidal_encoding(
    length: int,
    dim: int,
    base: float = 10000.0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | None = None,
) -> torch.Tensor:
    """The ``(length, dim)`` table of sinusoidal position encodings.

    Args:
        length: ``L``, the number of positions (``0 .. L-1``).
        dim: ``d``, the embedding size; may be odd (see the module docstring).
        base: the wavelength base, 10000 in the original transformer.
        dtype: floating dtype of the result (float32 or float64); compute in it, or in float64
            and cast at the end.
        device: device of the result (``None``: the default device); create every tensor there.

    Returns:
        A tensor of shape ``(length, dim)`` with the requested dtype and device (``(0, dim)``
        when ``length`` is 0).
    """
    # TODO: positions as a column (L, 1), one frequency per column pair (the exponent is 2i/d),
    # sin into the even columns and cos into the odd ones; mind odd d.
    raise NotImplementedError("TODO: sinusoidal_encoding")
