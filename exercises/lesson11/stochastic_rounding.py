"""Stochastic rounding: round up with probability equal to the fractional part.

Round-to-nearest always maps 0.3 to 0, so many small updates (a learning rate times a tiny
gradient, accumulated in low precision) can vanish without trace. Stochastic rounding keeps them
on average::

    f = x - floor(x)                     the fractional part, in [0, 1)
    stochastic_round(x) = floor(x) + 1   with probability f
                          floor(x)       with probability 1 - f

so ``E[stochastic_round(x)] = floor(x) + f = x``: it is unbiased. Every output is ``floor(x)`` or
``ceil(x)``, and integers are left unchanged (``f = 0``). Note ``floor`` goes DOWN for negative
numbers: ``floor(-1.25) = -2`` and ``f = 0.75``, so -1.25 becomes -1 with probability 0.75.

Randomness: draw one uniform number in [0, 1) per element from the ``generator`` you are given,
which lives on the device of ``x`` (e.g. ``torch.rand(x.shape, generator=generator,
dtype=x.dtype, device=x.device)``). Never use the global random state (``torch.rand`` without
``generator=``): the same seed must give the same result, and the global state must be left
untouched. Which draws map to which elements is up to you; the checks test the statistics
(unbiased, independent per element) and the reproducibility, not particular values.
"""

import torch


def stochastic_round(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Round each element of ``x`` up with probability equal to its fractional part.

    Args:
        x: float tensor of any shape (0-d included); it is not modified.
        generator: a ``torch.Generator`` on the device of ``x``, the only source of randomness.

    Returns:
        A tensor with the shape, dtype and device of ``x`` holding whole numbers: each element is
        ``floor(x)`` or ``ceil(x)``, rounded up with probability ``x - floor(x)`` independently
        of the others (mean ``x`` over many draws); whole numbers, huge values included, come
        back unchanged. No gradient is needed.
    """
    # TODO: floor and fractional part; one uniform sample per element from `generator`; round
    # up where the sample is below the fractional part.
    raise NotImplementedError("TODO: stochastic_round")
