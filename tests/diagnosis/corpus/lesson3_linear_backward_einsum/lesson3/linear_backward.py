"""Linear layer forward and backward, every product written as an einsum over the batch dims."""

import torch


def linear_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.einsum("...i,oi->...o", x, W) + b


def linear_backward(x, W, grad_y):
    grad_x = torch.einsum("...o,oi->...i", grad_y, W)
    grad_W = torch.einsum("...o,...i->oi", grad_y, x)
    grad_b = torch.einsum("...o->o", grad_y)
    return grad_x, grad_W, grad_b
