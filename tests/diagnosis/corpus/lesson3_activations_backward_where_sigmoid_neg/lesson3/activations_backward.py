"""ReLU and sigmoid backward, written with torch.where and the identity 1 - sigmoid(x) = sigmoid(-x)."""

import torch


def relu_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, grad_out, torch.zeros_like(grad_out))


def sigmoid_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    # s * (1 - s) == sigmoid(x) * sigmoid(-x); both factors stay in [0, 1], no cancellation
    return grad_out * (torch.sigmoid(x) * torch.sigmoid(-x))
