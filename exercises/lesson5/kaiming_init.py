"""Kaiming (He) normal initialization for layers followed by a ReLU.

A ReLU zeroes about half of its inputs, so it halves the second moment of the signal.
Drawing each weight from ``N(0, std**2)`` with ``std = sqrt(2 / fan_in)`` gives that factor
of two back, and the activations keep the same scale from layer to layer.

``fan_in`` is the number of inputs that feed one output unit:

* a ``Linear`` weight of shape ``(out_features, in_features)`` has ``fan_in = in_features``;
* a convolution weight of shape ``(out_channels, in_channels, kh, kw)`` has
  ``fan_in = in_channels * kh * kw`` (every trailing dimension after the first counts).

Do not call ``torch.nn.init.kaiming_normal_`` or ``torch.nn.init.kaiming_uniform_``.
"""

import math

import torch


def fan_in(weight: torch.Tensor) -> int:
    """The number of inputs of one output unit of a weight tensor.

    Args:
        weight: a tensor with at least 2 dimensions, ``(out, in, *kernel)``.

    Returns:
        ``in * prod(kernel)`` as a Python ``int`` (for a 2-D weight, just ``in``).
    """
    # TODO: multiply the size of dimension 1 by the sizes of every dimension after it.
    raise NotImplementedError("TODO: fan_in")


def kaiming_normal_(weight: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Fill ``weight`` in place with samples of ``N(0, 2 / fan_in)`` and return it.

    ``std = sqrt(2 / fan_in(weight))``; the samples come from ``generator`` (not from the
    global random state), so the same seed gives the same weights.

    Args:
        weight: a float tensor with at least 2 dimensions; its values are overwritten.
        generator: a ``torch.Generator`` on the same device as ``weight``.

    Returns:
        ``weight`` itself (the same tensor object, same shape, dtype and device), now
        holding the new values.
    """
    # TODO: compute the std from fan_in and fill `weight` in place from `generator`
    # (Tensor.normal_ accepts a generator); do it under torch.no_grad().
    raise NotImplementedError("TODO: kaiming_normal_")
