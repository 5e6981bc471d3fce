"""L1 and L2 weight penalties and their gradients, written by hand.

For a list of parameter tensors ``params`` and a strength ``lam``::

    l1_penalty = lam * sum over all params and elements of |w|
    l2_penalty = lam / 2 * sum over all params and elements of w ** 2

Their gradients, one tensor per parameter with the parameter's shape::

    d l1 / d w = lam * sign(w)      (the subgradient: 0 where w == 0)
    d l2 / d w = lam * w            (this is what "weight decay" adds to each gradient)

The factor 1/2 in the L2 penalty is a convention that makes its gradient exactly ``lam * w``.

The penalties must be differentiable tensors (adding them to a loss and calling
``backward()`` must work); the gradient functions must compute their result directly,
without ``torch.autograd.grad`` or ``.backward()``, and without any ``norm`` built-in.
"""

import torch


def l1_penalty(params: list[torch.Tensor], lam: float) -> torch.Tensor:
    """``lam`` times the sum of absolute values of every element of every parameter.

    Args:
        params: a non-empty list of float tensors of any shapes (same dtype and device).
        lam: the penalty strength.

    Returns:
        A scalar tensor (shape ``()``) with the dtype and device of the parameters.
    """
    # TODO: sum |w| over each tensor, add the sums, multiply by lam.
    raise NotImplementedError("TODO: l1_penalty")


def l2_penalty(params: list[torch.Tensor], lam: float) -> torch.Tensor:
    """``lam / 2`` times the sum of squares of every element of every parameter.

    Args:
        params: a non-empty list of float tensors of any shapes (same dtype and device).
        lam: the penalty strength.

    Returns:
        A scalar tensor (shape ``()``) with the dtype and device of the parameters.
    """
    # TODO: sum w * w over each tensor, add the sums, multiply by lam / 2.
    raise NotImplementedError("TODO: l2_penalty")


def l1_grad(params: list[torch.Tensor], lam: float) -> list[torch.Tensor]:
    """The (sub)gradient of ``l1_penalty`` with respect to each parameter.

    Args:
        params: a non-empty list of float tensors.
        lam: the penalty strength.

    Returns:
        A list with one tensor per parameter, of its shape: ``lam * sign(w)``, 0 where ``w == 0``.
    """
    # TODO: |w| has slope -1 left of 0 and +1 right of it; use 0 at exactly 0.
    raise NotImplementedError("TODO: l1_grad")


def l2_grad(params: list[torch.Tensor], lam: float) -> list[torch.Tensor]:
    """The gradient of ``l2_penalty`` with respect to each parameter.

    Args:
        params: a non-empty list of float tensors.
        lam: the penalty strength.

    Returns:
        A list with one tensor per parameter, of its shape: ``lam * w``.
    """
    # TODO: differentiate lam / 2 * w ** 2.
    raise NotImplementedError("TODO: l2_grad")
