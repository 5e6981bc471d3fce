"""Inverted dropout.

In training, every element of ``x`` is kept with probability ``1 - p`` and zeroed with
probability ``p``; the kept ones are divided by ``1 - p`` so the expected value of each
output equals its input::

    mask ~ Bernoulli(1 - p)            (one draw per element, from `generator`)
    y    = x * mask / (1 - p)

In evaluation the layer does nothing: ``y = x``. Because the scaling already happened in
training, no correction is needed at test time.

Edge cases: ``p = 0`` keeps everything (``y = x``); ``p = 1`` drops everything (``y = 0``,
never ``0 / 0``).

Do not call ``torch.nn.functional.dropout``, ``torch.dropout`` or ``torch.nn.Dropout``.
"""

import torch


def dropout(x: torch.Tensor, p: float, training: bool, generator: torch.Generator) -> torch.Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Args:
        x: float tensor of any shape.
        p: drop probability, ``0 <= p <= 1``.
        training: apply dropout if True; return ``x`` unchanged if False.
        generator: a ``torch.Generator`` on the device of ``x``; draw the mask from it so
            the same seed gives the same mask.

    Returns:
        A tensor with the shape, dtype and device of ``x``, differentiable with respect to
        ``x`` (its gradient is the mask times ``1 / (1 - p)``). ``x`` itself is not modified.
    """
    # TODO: in evaluation (or when p == 0) return x as it is.
    # TODO: when p == 1, return zeros (dividing by 1 - p would give NaN).
    # TODO: draw uniform numbers with torch.rand(..., generator=generator, device=x.device),
    #       keep where they are >= p, and scale the kept values by 1 / (1 - p). Do not
    #       modify x in place.
    raise NotImplementedError("TODO: dropout")
