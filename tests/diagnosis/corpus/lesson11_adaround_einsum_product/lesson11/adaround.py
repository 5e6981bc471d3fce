"""Choosing the rounding of weights with a second-order model of the loss.

The quadratic form is one einsum over any leading shape; the up/down patterns are listed with
itertools.product and scored all at once.
"""

import itertools

import torch


def rounding_cost(w, w_q, hessian, grad=None):
    dw = w_q - w
    cost = 0.5 * torch.einsum("...i,ij,...j->...", dw, hessian, dw)
    if grad is not None:
        cost = cost + torch.einsum("...i,i->...", dw, grad)
    return cost


def best_rounding(w, scale, hessian, grad=None):
    down = torch.floor(w / scale)
    patterns = torch.tensor(list(itertools.product((0.0, 1.0), repeat=w.shape[0])), dtype=w.dtype, device=w.device)
    candidates = (down + patterns) * scale
    costs = rounding_cost(w, candidates, hessian, grad)
    return candidates[int(torch.argmin(costs))]
