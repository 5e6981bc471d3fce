"""Softmax cross-entropy from logits, computed stably."""

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return x - torch.log(torch.exp(x).sum(dim=dim, keepdim=True))


def softmax_cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    logp = log_softmax(logits, dim=1)
    nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
    if reduction == "mean":
        return nll.mean()
    return nll.sum()
