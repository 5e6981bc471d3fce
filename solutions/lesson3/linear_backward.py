"""A linear (fully connected) layer, forward and backward, with the gradients worked out by hand (reference solution)."""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Apply the affine map ``y = x @ W.T + b`` to the last dimension of ``x``."""
    # W stores one row per output unit, so each output is the dot product of x with a row:
    # that is x @ W.T. The bias (out_features,) broadcasts over any leading batch dims.
    return x @ W.T + b


def linear_backward(
    x: torch.Tensor, W: torch.Tensor, grad_y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of a scalar loss with respect to the input, weight and bias of a linear layer."""
    out_features, in_features = W.shape
    # y_k = sum_i x_i W_ki + b_k, so dy_k/dx_i = W_ki: the upstream gradient is sent back
    # through the same matrix, untransposed. Batch dims ride along through the matmul.
    grad_x = grad_y @ W
    # The weights are shared by every batch position, so each position adds its own outer
    # product grad_y_row^T x_row. Flattening all batch dims into one makes that one matmul,
    # and handles an input with no batch dim at all.
    g2 = grad_y.reshape(-1, out_features)
    x2 = x.reshape(-1, in_features)
    grad_W = g2.T @ x2
    # dy_k/db_k = 1 at every position: the bias gradient is the upstream gradient summed
    # (not averaged: any averaging already happened in the loss that produced grad_y).
    grad_b = g2.sum(0)
    return grad_x, grad_W, grad_b
