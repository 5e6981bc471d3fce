"""Batch normalization, functional, with running statistics.

For an input ``x`` of shape ``(N, C)`` or ``(N, C, *spatial)`` each channel ``c`` is
normalised with statistics taken over every dimension except the channel dimension 1::

    mean_c = mean of x[:, c, ...]
    var_c  = mean of (x[:, c, ...] - mean_c) ** 2          (biased: divide by m)
    y      = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c

where ``m = N * prod(spatial)`` is the number of values per channel.

* **training**: normalise with the batch statistics above and return updated running
  statistics ``new = (1 - momentum) * old + momentum * batch``. The running variance is
  updated with the UNBIASED batch variance (divide by ``m - 1``), as ``torch.nn.BatchNorm``
  does; the normalisation itself uses the biased one.
* **evaluation**: normalise with ``running_mean`` and ``running_var`` and return them as
  they are.

The running statistics are returned as new tensors; do not modify any argument in place
(``nn.BatchNorm`` updates its buffers in place, this function does not). In training, ``y``
must be differentiable with respect to ``x``, ``weight`` and ``bias``, and the gradient must
flow through the batch mean and variance too (they depend on ``x``); the running statistics
need no gradient. Everything works in the dtype and on the device of ``x``.

Do not call ``torch.nn.functional.batch_norm``, ``torch.batch_norm`` or ``torch.nn.BatchNorm1d/2d``.
"""

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
    """Normalise ``x`` per channel; in training, also update the running statistics.

    Args:
        x: float tensor of shape ``(N, C)`` or ``(N, C, *spatial)``, with ``m >= 2`` values
            per channel in training.
        running_mean: shape ``(C,)``, the running estimate of each channel's mean.
        running_var: shape ``(C,)``, the running estimate of each channel's variance.
        weight: shape ``(C,)`` scale (gamma), or ``None`` for 1.
        bias: shape ``(C,)`` shift (beta), or ``None`` for 0.
        training: use batch statistics (and update the running ones) if True, else the running ones.
        momentum: weight of the new batch statistic in the running average.
        eps: added to the variance inside the square root.

    Returns:
        ``(y, new_running_mean, new_running_var)``: ``y`` with the shape, dtype and device of
        ``x``, and two ``(C,)`` tensors with the dtype of the running statistics (in evaluation,
        equal to the running statistics passed in).
    """
    # TODO: reduce over every dimension except 1 (keepdim=True helps broadcasting back).
    # TODO: in training, use the biased batch variance to normalise and the unbiased one
    #       (times m / (m - 1)) to update the running variance.
    raise NotImplementedError("TODO: batch_norm")
