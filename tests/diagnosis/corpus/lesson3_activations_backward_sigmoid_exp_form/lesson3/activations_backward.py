"""ReLU and sigmoid backward."""

import torch


def relu_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    return grad_out * (x > 0).to(grad_out.dtype)


def sigmoid_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    # derivative of 1 / (1 + exp(-x)) is exp(-x) / (1 + exp(-x))^2
    e = torch.exp(-x)
    return grad_out * e / (1 + e) ** 2
