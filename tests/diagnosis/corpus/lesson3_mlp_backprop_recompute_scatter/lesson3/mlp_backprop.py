"""Backpropagation through a two-layer MLP by hand.

The cache holds only the inputs; the backward pass recomputes the forward quantities it needs.
The log-softmax uses the log-sum-exp identity, the one-hot comes from scatter_ on a fresh
tensor, and the matrix products are einsums.
"""

from typing import Any

import torch


def _forward_parts(x, W1, b1, W2, b2):
    z1 = torch.einsum("nd,hd->nh", x, W1) + b1
    h = torch.where(z1 > 0, z1, torch.zeros_like(z1))
    logits = torch.einsum("nh,ch->nc", h, W2) + b2
    m = logits.amax(dim=1, keepdim=True)
    lse = m + torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return z1, h, logits, lse


def mlp_forward(x, W1, b1, W2, b2, target) -> tuple[torch.Tensor, Any]:
    _, _, logits, lse = _forward_parts(x, W1, b1, W2, b2)
    picked = logits.gather(1, target.view(-1, 1))
    loss = (lse - picked).sum() / x.shape[0]
    cache = {"x": x, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "target": target}
    return loss, cache


def mlp_backward(cache: Any):
    x, W1, b1, W2, b2, target = (cache[k] for k in ("x", "W1", "b1", "W2", "b2", "target"))
    z1, h, logits, lse = _forward_parts(x, W1, b1, W2, b2)
    n = x.shape[0]
    probs = torch.exp(logits - lse)
    onehot = torch.zeros_like(probs)
    onehot.scatter_(1, target.view(-1, 1), 1.0)
    dlogits = (probs - onehot) / n
    grad_W2 = torch.einsum("nc,nh->ch", dlogits, h)
    grad_b2 = dlogits.sum(dim=0)
    dh = torch.einsum("nc,ch->nh", dlogits, W2)
    dz1 = torch.where(z1 > 0, dh, torch.zeros_like(dh))
    grad_W1 = torch.einsum("nh,nd->hd", dz1, x)
    grad_b1 = dz1.sum(dim=0)
    return grad_W1, grad_b1, grad_W2, grad_b2
