"""ReLU and sigmoid backward."""

import torch


def relu_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    # the gradient passes wherever the input was not negative
    mask = (x >= 0).to(grad_out.dtype)
    return grad_out * mask


def sigmoid_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(x)
    return grad_out * s * (1 - s)
