"""The Hessian of a function by automatic differentiation, and one step of Newton's method.

For a scalar function ``f`` of a vector ``x`` with ``n`` entries, the Hessian is the ``n x n``
matrix of second derivatives::

    H[i, j] = d2 f / (dx_i dx_j)

Row ``i`` of ``H`` is the gradient of the ``i``-th entry of the gradient ``g = df/dx``: the
Hessian is the Jacobian of the gradient. With autograd that is one backward pass for ``g``
(kept differentiable with ``create_graph=True``) and then one more backward pass per entry of
``g``. Newton's method uses the curvature to scale the step::

    x_new = x - H^-1 g            (solve H d = g for d rather than inverting H)

On a quadratic function it lands on the minimum in a single step.

``torch.autograd.grad`` is allowed (and needed). Off limits: the ready-made Hessians and
Jacobians (``torch.autograd.functional.hessian``, ``torch.autograd.functional.jacobian``,
``torch.autograd.functional.hvp``, ``torch.autograd.functional.vhp``, ``torch.func.hessian``,
``torch.func.jacfwd``, ``torch.func.jacrev``).
"""

from collections.abc import Callable

import torch


def hessian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The Hessian of ``f`` at ``x``.

    Args:
        f: a function that takes a 1-D tensor shaped like ``x`` and returns a 0-d tensor built
            with differentiable torch operations. It may be linear in some entries of ``x``, or
            in all of them.
        x: float tensor of shape ``(n,)``, ``n >= 1``. It does not require grad, and it must not
            be modified (work on a detached copy that requires grad).

    Returns:
        ``H`` of shape ``(n, n)`` with the dtype and device of ``x``, ``H[i, j] =
        d2 f / (dx_i dx_j)``: a plain tensor of numbers (detached, not part of any graph).
        An entry of ``x`` in which ``f`` is linear gives a zero row and column. If ``f`` is
        linear in every entry, its gradient is a constant that does not depend on ``x`` at all
        (autograd returns it without history: it does not require grad and cannot be
        differentiated again); the Hessian is then all zeros, not an error.
    """
    # TODO: a copy of x that requires grad; the gradient g of f there with create_graph=True;
    #       then row i of H is the gradient of g[i] with respect to the copy (zeros where g
    #       does not depend on x).
    raise NotImplementedError("TODO: hessian")


def newton_step(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """One step of Newton's method from ``x``: ``x - H^-1 g``.

    Args:
        f: as for ``hessian``; its Hessian at ``x`` is invertible.
        x: float tensor of shape ``(n,)``. Not modified.

    Returns:
        The new point, shape ``(n,)``, dtype and device of ``x``, detached. For a quadratic
        ``f(x) = 0.5 x^T A x + b^T x`` with positive definite ``A`` it is the minimizer
        ``-A^-1 b``.
    """
    # TODO: the gradient g and the Hessian H at x; solve H d = g (torch.linalg.solve) and step.
    raise NotImplementedError("TODO: newton_step")
