"""Batch normalization, functional, with running statistics (reference solution)."""

import torch


def batch_norm(
    x: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    weight: torch.Tensor | None,
    bias: torch.Tensor | None,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Normalise ``x`` per channel; in training, also update the running statistics."""
    c = x.shape[1]
    # Statistics are per channel: reduce over the batch and every spatial position.
    dims = [0] + list(range(2, x.dim()))
    # (1, C, 1, 1, ...) broadcasts a per-channel vector against x whatever its rank.
    view = [1, c] + [1] * (x.dim() - 2)

    if training:
        m = x.numel() // c
        mean = x.mean(dim=dims)
        centred = x - mean.reshape(view)
        # Biased variance (divide by m) normalises the batch: it is the variance of the
        # numbers actually in hand.
        var = (centred * centred).mean(dim=dims)
        # The running estimate tracks the population variance, so it uses the unbiased
        # estimate m / (m - 1) * var. No gradient flows into buffers.
        with torch.no_grad():
            unbiased = var * (m / max(m - 1, 1))
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * unbiased
    else:
        mean, var = running_mean, running_var
        centred = x - mean.reshape(view)
        new_mean, new_var = running_mean.clone(), running_var.clone()

    # eps inside the square root keeps a constant channel (var = 0) finite.
    y = centred / torch.sqrt(var.reshape(view) + eps)
    if weight is not None:
        y = y * weight.reshape(view)
    if bias is not None:
        y = y + bias.reshape(view)
    return y, new_mean, new_var
