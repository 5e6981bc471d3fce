"""Kaiming (He) normal initialization for layers followed by a ReLU (reference solution)."""

import math

import torch


def fan_in(weight: torch.Tensor) -> int:
    """The number of inputs of one output unit of a weight tensor."""
    if weight.dim() < 2:
        raise ValueError("fan_in needs a weight with at least 2 dimensions")
    # Each output unit sees every input channel at every kernel position, so the
    # receptive field multiplies the channel count.
    receptive = 1
    for size in weight.shape[2:]:
        receptive *= size
    return weight.shape[1] * receptive


def kaiming_normal_(weight: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Fill ``weight`` in place with samples of ``N(0, 2 / fan_in)`` and return it."""
    # A ReLU keeps half of the second moment; a variance of 2 / fan_in makes up for it,
    # so Var(output) stays close to Var(input) through many layers.
    std = math.sqrt(2.0 / fan_in(weight))
    # no_grad: filling a parameter is not part of any computation to differentiate.
    with torch.no_grad():
        weight.normal_(0.0, std, generator=generator)
    return weight
