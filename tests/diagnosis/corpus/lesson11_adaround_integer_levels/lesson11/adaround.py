"""Choosing the rounding of weights with a second-order model of the loss."""

import torch


def rounding_cost(w, w_q, hessian, grad=None):
    dw = w_q - w
    cost = 0.5 * ((dw @ hessian) * dw).sum(dim=-1)
    if grad is not None:
        cost = cost + (dw * grad).sum(dim=-1)
    return cost


def best_rounding(w, scale, hessian, grad=None):
    n = w.shape[0]
    down = torch.floor(w / scale)
    codes = torch.arange(2**n, device=w.device)
    bits = (codes.unsqueeze(1) >> torch.arange(n, device=w.device)) & 1
    levels = down + bits.to(w.dtype)
    costs = rounding_cost(w, levels * scale, hessian, grad)
    return levels[costs.argmin()]
