"""Per-layer gradient norms and what they say about training (reference solution)."""

import math

import torch
from torch import nn


def grad_norms(model: nn.Module) -> dict[str, float | None]:
    """The L2 norm of each parameter's gradient, keyed by parameter name."""
    norms: dict[str, float | None] = {}
    for name, p in model.named_parameters():
        if p.grad is None:
            # None and zero mean different things: never reached versus reached and dead.
            norms[name] = None
        else:
            # In float64 the squares of float32 or float16 values can neither overflow nor
            # underflow, so a huge gradient is not reported as inf nor a tiny one as 0.
            norms[name] = torch.linalg.vector_norm(p.grad.detach().to(torch.float64)).item()
    return norms


def diagnose(norms: dict[str, float | None], low: float = 1e-6, high: float = 1e3) -> dict[str, str]:
    """A label for every gradient norm: missing, nonfinite, zero, vanishing, exploding or ok."""
    labels = {}
    for name, norm in norms.items():
        if norm is None:
            label = "missing"
        # Before any comparison: every comparison with nan is false, so nan would pass as "ok".
        elif not math.isfinite(norm):
            label = "nonfinite"
        elif norm == 0.0:
            label = "zero"
        elif norm < low:
            label = "vanishing"
        elif norm > high:
            label = "exploding"
        else:
            label = "ok"
        labels[name] = label
    return labels
