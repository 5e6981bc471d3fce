"""The backward pass of two activation functions, ReLU and the logistic sigmoid.

An elementwise activation ``y = f(x)`` sends the upstream gradient back by multiplying it
with the local slope at each element (the chain rule, one element at a time)::

    dL/dx = dL/dy * f'(x)

    relu(x)    = max(x, 0)          relu'(x)    = 1 if x > 0 else 0   (0 at exactly x = 0, as torch does)
    sigmoid(x) = 1 / (1 + exp(-x))  sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))

You may call ``torch.sigmoid`` for the forward value. Off limits: autograd
(``torch.autograd.grad``, ``torch.autograd.backward``, ``Tensor.backward``) and torch's own
backward kernels (``torch.ops.aten.threshold_backward``, ``torch.ops.aten.sigmoid_backward``).
"""

import torch


def relu_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    """Gradient of a loss with respect to the input of ``relu``.

    Args:
        x: the input that was given to ``relu``, any shape.
        grad_out: ``dL/d relu(x)``, same shape, dtype and device as ``x``.

    Returns:
        ``dL/dx``: ``grad_out`` where ``x > 0`` and 0 elsewhere (also where ``x == 0``), with the
        shape, dtype and device of ``grad_out``. Do not modify the inputs.
    """
    # TODO: keep the upstream gradient where the input was positive, zero elsewhere.
    raise NotImplementedError("TODO: relu_backward")


def sigmoid_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    """Gradient of a loss with respect to the input of ``sigmoid``.

    Args:
        x: the input that was given to ``sigmoid``, any shape, possibly with huge values
            such as ``-1000`` or ``1000``.
        grad_out: ``dL/d sigmoid(x)``, same shape, dtype and device as ``x``.

    Returns:
        ``dL/dx = grad_out * s * (1 - s)`` with ``s = sigmoid(x)``: finite everywhere, with
        the shape, dtype and device of ``grad_out``. Do not modify the inputs.
    """
    # TODO: compute s = sigmoid(x) and multiply the upstream gradient by the local slope.
    raise NotImplementedError("TODO: sigmoid_backward")
