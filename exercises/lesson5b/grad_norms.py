"""Per-layer gradient norms: the first thing to look at when a network does not learn.

After a backward pass, the size of each parameter's gradient tells apart the usual
failures: a gradient that never arrived, one that arrived as zeros, one that shrank to
almost nothing on its way back, and one that blew up. Build:

- ``grad_norms(model)``: the L2 norm of every parameter's gradient, by name;
- ``diagnose(norms)``: a label for each of those norms.

Nothing is off limits; ``torch.linalg.vector_norm`` is allowed, but mind the precision:
a float32 gradient of 1e25 squares to more than float32 can hold, and one of 1e-25 squares
to less than its smallest positive number.
"""

import torch
from torch import nn


def grad_norms(model: nn.Module) -> dict[str, float | None]:
    """The L2 norm of each parameter's gradient, keyed by parameter name.

    For every ``(name, p)`` in ``model.named_parameters()`` (in that order):
    ``sqrt(sum(p.grad ** 2))`` as a Python float, or ``None`` when ``p.grad`` is ``None``
    (backpropagation never reached the parameter: it is unused, frozen, or cut off).
    A gradient of zeros has norm ``0.0``, not ``None``.

    The norm must be accurate for gradients of any floating dtype, including float32 or
    float16 gradients whose squares overflow or underflow in that dtype (entries of 1e25
    or 1e-25 in float32, of 300 in float16): compute it in float64. Neither the parameters
    nor their gradients are changed.

    Args:
        model: any ``nn.Module``, after a backward pass (or not).

    Returns:
        ``{name: float or None}`` for every parameter.
    """
    # TODO: one entry per named parameter; None for a missing gradient, else the norm in float64.
    raise NotImplementedError("TODO: grad_norms")


def diagnose(norms: dict[str, float | None], low: float = 1e-6, high: float = 1e3) -> dict[str, str]:
    """A label for every gradient norm, checked in this order::

        None                    -> "missing"    backpropagation never reached the parameter
        nan, inf or -inf        -> "nonfinite"  the computation broke down
        exactly 0.0             -> "zero"       reached, but the gradient died (dead units)
        below ``low``           -> "vanishing"
        above ``high``          -> "exploding"
        otherwise (low <= norm <= high) -> "ok"

    Args:
        norms: ``{name: norm or None}``, e.g. from ``grad_norms``. Not modified.
        low: the smallest healthy norm.
        high: the largest healthy norm.

    Returns:
        ``{name: label}`` with the same keys, in the same order.
    """
    # TODO: label each norm, testing the cases in the order above.
    raise NotImplementedError("TODO: diagnose")
