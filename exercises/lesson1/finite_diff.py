"""Numerical gradients by central finite differences.

For a scalar function ``f`` of a tensor ``x`` and a small step ``h``, the partial derivative
along element ``i`` is approximated by nudging that one element up and down::

    grad[i] ~= (f(x + h e_i) - f(x - h e_i)) / (2 h)

where ``e_i`` is the tensor with a 1 at position ``i`` and 0 elsewhere. The error of this
central difference shrinks like ``h**2`` (a one-sided difference only like ``h``). Numerical
gradients are how autograd and hand-written backward passes are checked, so here the
autograd machinery is off limits: ``torch.autograd.grad``, ``Tensor.backward``,
``torch.autograd.backward``, ``torch.func.grad`` and ``torch.autograd.functional.jacobian``.
"""

from collections.abc import Callable

import torch


def numerical_grad(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    """Central-difference estimate of the gradient of ``f`` at ``x``.

    Args:
        f: a function that takes a tensor shaped like ``x`` (same dtype and device) and
            returns a scalar (a 0-d tensor or a Python number).
        x: float tensor of any shape, including 0-d. It must not be left modified.
        h: the step, used exactly as in the formula above.

    Returns:
        A tensor with the shape, dtype and device of ``x``: entry ``i`` is
        ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.
    """
    # TODO: for every element i of x (x.numel() of them), evaluate f at a copy of x with that
    #       element raised by h and at one with it lowered by h, and store the central difference.
    raise NotImplementedError("TODO: numerical_grad")
