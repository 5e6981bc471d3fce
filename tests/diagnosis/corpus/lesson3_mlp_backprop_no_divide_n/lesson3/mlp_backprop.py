"""Backpropagation through a two-layer MLP by hand."""

from typing import Any

import torch


def mlp_forward(x, W1, b1, W2, b2, target) -> tuple[torch.Tensor, Any]:
    z1 = x @ W1.T + b1
    h = z1.clamp(min=0)
    logits = h @ W2.T + b2
    shifted = logits - logits.max(dim=1, keepdim=True).values
    logp = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    rows = torch.arange(x.shape[0], device=x.device)
    loss = -logp[rows, target].mean()
    probs = torch.exp(logp)
    return loss, (x, z1, h, probs, W2, target)


def mlp_backward(cache: Any):
    x, z1, h, probs, W2, target = cache
    rows = torch.arange(x.shape[0], device=x.device)
    dlogits = probs.clone()
    dlogits[rows, target] -= 1
    grad_W2 = dlogits.T @ h
    grad_b2 = dlogits.sum(dim=0)
    dh = dlogits @ W2
    dz1 = dh * (z1 > 0).to(dh.dtype)
    grad_W1 = dz1.T @ x
    grad_b1 = dz1.sum(dim=0)
    return grad_W1, grad_b1, grad_W2, grad_b2
