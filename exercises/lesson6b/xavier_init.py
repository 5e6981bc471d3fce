"""Xavier (Glorot) initialization, uniform and normal.

Xavier initialization keeps the variance of the signal steady in both directions through a
layer: the forward pass wants ``Var(w) = 1 / fan_in``, the backward pass ``1 / fan_out``, and
Glorot and Bengio took the compromise::

    std = gain * sqrt(2 / (fan_in + fan_out))

    xavier_normal:   w ~ N(0, std**2)
    xavier_uniform:  w ~ U(-a, a)  with  a = sqrt(3) * std = gain * sqrt(6 / (fan_in + fan_out))

(a uniform on ``[-a, a]`` has variance ``a**2 / 3``). ``gain`` corrects for the nonlinearity that
follows the layer; torch's ``calculate_gain`` uses 1 for no nonlinearity or a sigmoid, 5/3 for tanh
and sqrt(2) for ReLU.

For a weight of shape ``(out, in, *kernel)`` (a Linear weight is ``(out, in)``, a Conv2d weight
``(out, in, kh, kw)``), with ``receptive = product of the kernel sizes`` (1 for a Linear)::

    fan_in  = in  * receptive
    fan_out = out * receptive

Unlike torch's in-place initializers, these functions return a NEW tensor and leave the weight
they are given untouched; all random numbers come from the ``generator`` argument.

Off limits: ``torch.nn.init.xavier_uniform_``, ``torch.nn.init.xavier_normal_`` and
``torch.nn.init._calculate_fan_in_and_fan_out``.
"""

import math  # noqa: F401  (math.prod and math.sqrt are handy)

import torch


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """The fan-in and fan-out of a weight.

    Args:
        shape: the weight's shape ``(out, in, *kernel)``, at least 2 entries (a tuple or a
            ``torch.Size``).

    Returns:
        ``(fan_in, fan_out)`` as two Python ``int``. Raises ``ValueError`` for fewer than 2
        dimensions.
    """
    # TODO: multiply the in and out sizes by the product of the kernel sizes.
    raise NotImplementedError("TODO: fans")


def xavier_uniform(weight: torch.Tensor, generator: torch.Generator, gain: float = 1.0) -> torch.Tensor:
    """Xavier uniform: a new tensor drawn from ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Args:
        weight: float tensor of shape ``(out, in, *kernel)``; only its shape, dtype and device
            are used. Do not modify it.
        generator: the ``torch.Generator`` to draw from (on the device of ``weight``), so the same
            seed gives the same tensor whatever the global random state.
        gain: the scale factor for the nonlinearity that follows.

    Returns:
        A new tensor with the shape, dtype and device of ``weight`` that does not require grad.
    """
    # TODO: compute the bound from fans(weight.shape) and the gain, then fill a new tensor
    # with uniform samples from `generator` (Tensor.uniform_ accepts generator=...).
    raise NotImplementedError("TODO: xavier_uniform")


def xavier_normal(weight: torch.Tensor, generator: torch.Generator, gain: float = 1.0) -> torch.Tensor:
    """Xavier normal: a new tensor drawn from ``N(0, std**2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Args:
        weight: float tensor of shape ``(out, in, *kernel)``; only its shape, dtype and device
            are used. Do not modify it.
        generator: the ``torch.Generator`` to draw from (on the device of ``weight``).
        gain: the scale factor for the nonlinearity that follows.

    Returns:
        A new tensor with the shape, dtype and device of ``weight`` that does not require grad.
    """
    # TODO: compute the std, then fill a new tensor with normal samples from `generator`.
    raise NotImplementedError("TODO: xavier_normal")
