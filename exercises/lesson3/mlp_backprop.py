"""Backpropagation through a whole two-layer network, by hand.

The network and its loss, for a batch of ``N`` inputs with ``D`` features, ``H`` hidden units
and ``C`` classes::

    z1     = x @ W1.T + b1                  (N, H)
    h      = relu(z1)                       (N, H)
    logits = h @ W2.T + b2                  (N, C)
    loss   = mean_i  -log softmax(logits)[i, target_i]      a scalar

``mlp_forward`` returns the loss and a *cache*: whatever your backward pass will need (a tuple,
a dict, ...; the grader hands it back to ``mlp_backward`` untouched and never looks inside).
``mlp_backward`` walks the chain rule from the loss back to every parameter. Two results to
derive on paper first::

    d loss / d logits = (softmax(logits) - onehot(target)) / N
    d loss / d z1     = (d loss / d h) * (z1 > 0)

Off limits: autograd (``torch.autograd.grad``, ``torch.autograd.backward``, ``Tensor.backward``,
and everything built on them such as ``torch.func.grad``).
"""

from typing import Any

import torch


def mlp_forward(
    x: torch.Tensor,
    W1: torch.Tensor,
    b1: torch.Tensor,
    W2: torch.Tensor,
    b2: torch.Tensor,
    target: torch.Tensor,
) -> tuple[torch.Tensor, Any]:
    """Forward pass: the mean softmax cross-entropy of the two-layer MLP, and a cache.

    Args:
        x: inputs, shape ``(N, D)``.
        W1: first weight, shape ``(H, D)``; b1: first bias, shape ``(H,)``.
        W2: second weight, shape ``(C, H)``; b2: second bias, shape ``(C,)``.
        target: int64 class indices, shape ``(N,)``, values in ``[0, C)``.

    Returns:
        ``(loss, cache)``: ``loss`` is a 0-d tensor with the dtype and device of ``x``, finite
        even when the logits are in the thousands; ``cache`` is anything ``mlp_backward`` needs.
        The inputs are not modified.
    """
    # TODO: compute z1, h, logits; a stable log-softmax (subtract each row's max);
    # the mean of -log p at each row's target. Keep what the backward pass needs.
    raise NotImplementedError("TODO: mlp_forward")


def mlp_backward(cache: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backward pass: the gradient of the loss with respect to every parameter.

    Args:
        cache: what ``mlp_forward`` returned beside the loss. It must not be modified (no
            in-place writes into its tensors): calling ``mlp_backward`` twice on the same cache
            gives the same gradients.

    Returns:
        ``(grad_W1, grad_b1, grad_W2, grad_b2)`` with the shapes of ``W1, b1, W2, b2`` and the
        dtype and device of ``x``.
    """
    # TODO: start from dlogits = (softmax - onehot) / N, then go back through the second
    # linear layer, the relu mask and the first linear layer.
    raise NotImplementedError("TODO: mlp_backward")
