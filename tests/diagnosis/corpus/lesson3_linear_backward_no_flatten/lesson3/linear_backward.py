"""Linear layer forward and backward."""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return x @ W.T + b


def linear_backward(x, W, grad_y):
    grad_x = grad_y @ W
    # rows of the batch are the first dimension
    grad_W = grad_y.transpose(0, -1) @ x
    grad_b = grad_y.sum(dim=0)
    return grad_x, grad_W, grad_b
