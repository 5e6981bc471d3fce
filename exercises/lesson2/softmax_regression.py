"""Multiclass logistic regression: a stable softmax and the model's predictions.

Softmax turns a vector of scores (logits) into probabilities that are positive and sum to 1::

    softmax(z)_c = exp(z_c) / sum_k exp(z_k)

Multiclass (softmax) logistic regression has one weight column and one bias per class. For
inputs ``X`` of shape ``(N, D)``, weights ``W`` of shape ``(D, C)`` and bias ``b`` of shape
``(C,)``::

    probs = softmax(X W + b)            shape (N, C), along the class dimension
    classes = argmax_c probs[:, c]      shape (N,), the predicted class of each row

Off limits: ``torch.softmax``, ``torch.nn.functional.softmax``, ``Tensor.softmax``,
``torch.special.softmax`` and the log-softmax built-ins (``torch.log_softmax``,
``torch.nn.functional.log_softmax``, ``Tensor.log_softmax``). Matrix products are fine.
"""

import torch


def softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax of ``z`` along ``dim``, finite even for logits of size ``1e4``.

    Args:
        z: float tensor of any shape (at least 1-D).
        dim: the dimension that holds the classes (negative values count from the end).

    Returns:
        A tensor with the shape, dtype and device of ``z``; along ``dim`` its entries are
        non-negative and sum to 1. It must be differentiable with respect to ``z`` (torch
        operations only). ``z`` is not modified.
    """
    # TODO: subtract the maximum along `dim` (keepdim=True) before exponentiating, then
    #       divide by the sum along the same dimension.
    raise NotImplementedError("TODO: softmax")


def predict(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities and predicted classes of softmax regression.

    Args:
        X: float tensor of shape ``(..., D)``: any number of leading batch dimensions.
        W: weights of shape ``(D, C)``.
        b: bias of shape ``(C,)``.

    Returns:
        ``(probs, classes)``: ``probs`` of shape ``(..., C)`` (the softmax of ``X W + b`` over
        the classes) and ``classes`` of shape ``(...)``, dtype int64, the index of each row's
        largest probability. Logits up to ``1e4`` must still give finite probabilities.
        ``X``, ``W`` and ``b`` are not modified.
    """
    # TODO: compute the logits X W + b, their softmax over the last dimension, and the argmax.
    raise NotImplementedError("TODO: predict")
