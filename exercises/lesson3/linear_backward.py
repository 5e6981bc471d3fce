"""A linear (fully connected) layer, forward and backward, with the gradients worked out by hand.

Forward, for an input ``x`` whose last dimension holds the features::

    y = x @ W.T + b            x: (..., in_features)
                               W: (out_features, in_features)
                               b: (out_features,)
                               y: (..., out_features)

Backward: given ``grad_y = dL/dy`` for some scalar loss ``L`` (same shape as ``y``), return::

    dL/dx = grad_y @ W                                 shape (..., in_features)
    dL/dW = sum over every batch position of  grad_y_row^T  x_row     shape (out_features, in_features)
    dL/db = sum over every batch position of  grad_y_row              shape (out_features,)

Every leading dimension of ``x`` (there may be none, one or several) is a batch dimension: the
parameters are shared by all positions, so their gradients add up the contribution of each one.

Off limits: ``torch.nn.functional.linear``, ``torch.autograd.grad``, ``torch.autograd.backward``
and ``Tensor.backward``. The point is to derive the gradients yourself.
"""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Apply the affine map ``y = x @ W.T + b`` to the last dimension of ``x``.

    Args:
        x: float tensor of shape ``(..., in_features)``.
        W: weight of shape ``(out_features, in_features)``, same dtype and device as ``x``.
        b: bias of shape ``(out_features,)``.

    Returns:
        ``y`` of shape ``(..., out_features)``, with the dtype and device of ``x``. An all-zero
        input gives exactly ``b`` in every row. Inputs are not modified.
    """
    # TODO: multiply by the transposed weight and add the bias (broadcast over the batch dims).
    raise NotImplementedError("TODO: linear_forward")


def linear_backward(
    x: torch.Tensor, W: torch.Tensor, grad_y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of a scalar loss with respect to the input, weight and bias of a linear layer.

    Args:
        x: the forward input, shape ``(..., in_features)``.
        W: the weight, shape ``(out_features, in_features)``.
        grad_y: ``dL/dy``, shape ``(..., out_features)`` (the leading dims match ``x``).

    Returns:
        ``(grad_x, grad_W, grad_b)`` with the shapes of ``x``, ``W`` and ``(out_features,)``,
        all with the dtype and device of ``x``. The batch may be empty (a leading size of 0):
        then ``grad_W`` and ``grad_b`` are zeros. Do not modify the inputs.
    """
    # TODO: grad_x = grad_y @ W; for grad_W and grad_b, flatten the batch dims
    # (reshape to (-1, features)) and add up the contribution of every row.
    raise NotImplementedError("TODO: linear_backward")
