"""Linear layer forward and backward."""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return x @ W.T + b


def linear_backward(x, W, grad_y):
    grad_x = grad_y @ W
    gy = grad_y.reshape(-1, W.shape[0])
    xx = x.reshape(-1, W.shape[1])
    grad_W = gy.T @ xx
    grad_b = gy.mean(dim=0)
    return grad_x, grad_W, grad_b
