"""Backpropagation through a whole two-layer network, by hand (reference solution)."""

from typing import Any

import torch


def mlp_forward(
    x: torch.Tensor,
    W1: torch.Tensor,
    b1: torch.Tensor,
    W2: torch.Tensor,
    b2: torch.Tensor,
    target: torch.Tensor,
) -> tuple[torch.Tensor, Any]:
    """Forward pass: the mean softmax cross-entropy of the two-layer MLP, and a cache."""
    z1 = x @ W1.T + b1
    h = z1.clamp(min=0)
    logits = h @ W2.T + b2
    # Subtracting each row's maximum cancels in the softmax ratio but keeps every exponent
    # <= 0, so exp never overflows even for logits in the thousands.
    shifted = logits - logits.max(dim=1, keepdim=True).values
    logp = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    rows = torch.arange(x.shape[0], device=x.device)
    loss = -logp[rows, target].mean()
    # The backward pass needs the inputs of each layer (x, h), the relu's pre-activation
    # (for its mask), the softmax probabilities and W2 (to send the gradient through it).
    cache = (x, z1, h, logp.exp(), target, W2)
    return loss, cache


def mlp_backward(cache: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backward pass: the gradient of the loss with respect to every parameter."""
    x, z1, h, probs, target, W2 = cache
    n = x.shape[0]
    rows = torch.arange(n, device=x.device)
    # d(mean CE)/d logits = (softmax - onehot) / N. Clone first: subtracting in place from
    # the cached probabilities would corrupt the cache for a second call.
    dlogits = probs.clone()
    dlogits[rows, target] -= 1
    dlogits /= n
    # Second linear layer: the same three rules as linear_backward.
    grad_W2 = dlogits.T @ h
    grad_b2 = dlogits.sum(0)
    dh = dlogits @ W2
    # relu passes the gradient only where its input was positive.
    dz1 = dh * (z1 > 0).to(dh.dtype)
    # First linear layer.
    grad_W1 = dz1.T @ x
    grad_b1 = dz1.sum(0)
    return grad_W1, grad_b1, grad_W2, grad_b2
