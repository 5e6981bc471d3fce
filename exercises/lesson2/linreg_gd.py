"""Linear regression trained by gradient descent, with the gradient worked out by hand.

The model predicts ``y_hat = X w + b`` and is scored by the mean squared error over all
entries::

    L = mean((y_hat - y) ** 2)

With the residual ``r = y_hat - y`` and ``M = r.numel()`` (the number of averaged entries)::

    dL/dw = (2 / M) * X^T r          dL/db = (2 / M) * sum of r over the rows

and one gradient-descent step moves against the gradient: ``w <- w - lr * dL/dw``,
``b <- b - lr * dL/db``.

Write the gradients yourself: autograd (``torch.autograd.grad``, ``Tensor.backward``,
``torch.autograd.backward``, ``torch.func.grad``) and ``torch.nn.functional.mse_loss`` are off
limits. Matrix products (``@``) are fine here.
"""

import torch


def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every entry.

    ``mse = mean((pred - target) ** 2)``

    Args:
        pred: float tensor of any shape.
        target: float tensor of the same shape.

    Returns:
        A 0-d tensor with the dtype of ``pred`` (differentiable, so no ``.item()``).
    """
    # TODO: average the squared differences over all entries.
    raise NotImplementedError("TODO: mse")


def linreg_gd_step(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lr: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One step of gradient descent on the mean squared error of ``X w + b``.

    Args:
        X: float tensor of shape ``(N, D)``: N examples with D features.
        y: targets, shape ``(N,)`` (one output) or ``(N, K)`` (K outputs).
        w: weights, shape ``(D,)`` or ``(D, K)`` to match ``y``.
        b: bias, shape ``()`` or ``(K,)`` to match ``y``.
        lr: the learning rate.

    Returns:
        ``(new_w, new_b, loss)``: new tensors with the shapes and dtypes of ``w`` and ``b``,
        and the 0-d loss of the parameters *before* the step. ``X``, ``y``, ``w`` and ``b``
        are not modified.
    """
    # TODO: predict, compute the residual and the loss (with mse).
    # TODO: compute dL/dw and dL/db by hand (see the module docstring) and step against them.
    raise NotImplementedError("TODO: linreg_gd_step")
