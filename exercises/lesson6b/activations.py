"""Three modern activation functions: LeakyReLU, GELU and Mish.

Each acts on every element on its own::

    leaky_relu(x) = x                    if x > 0
                  = negative_slope * x   otherwise

    gelu(x)       = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))           (approximate="none")
                  ~ 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))   (approximate="tanh")

    softplus(x)   = log(1 + exp(x))
    mish(x)       = x * tanh(softplus(x))

``Phi`` is the cumulative distribution function of the standard normal distribution.

Every function must be differentiable by autograd and stay finite, in value and in gradient,
for inputs as large as ``1e4`` in either direction: ``exp(x)`` overflows to ``inf`` for x above
about 88 in float32 and 709 in float64, so ``log(1 + exp(x))`` has to be rewritten (for
example as ``max(x, 0) + log(1 + exp(-|x|))``, or with ``torch.logaddexp``).

You may use ``torch.where``, ``torch.erf``, ``torch.tanh``, ``torch.exp``, ``torch.log1p`` and
similar elementwise operations. Off limits: ``torch.nn.functional.leaky_relu``, ``gelu``,
``mish`` and ``softplus`` and the matching ``torch.nn`` modules.
"""

import math  # noqa: F401  (math.sqrt and math.pi are handy)

import torch


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """LeakyReLU: keep positive values, scale the others by ``negative_slope``.

    Args:
        x: float tensor of any shape (0-d and empty included).
        negative_slope: the slope used for ``x <= 0``.

    Returns:
        A new tensor with the shape, dtype and device of ``x``, differentiable with respect to
        ``x``. Do not modify ``x``.
    """
    # TODO: choose between x and negative_slope * x element by element.
    raise NotImplementedError("TODO: leaky_relu")


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """GELU, exactly (with erf) or with the tanh approximation.

    Args:
        x: float tensor of any shape (0-d and empty included).
        approximate: ``"none"`` for the exact formula, ``"tanh"`` for the approximation; any
            other value raises ``ValueError``.

    Returns:
        A new tensor with the shape, dtype and device of ``x``, differentiable with respect to
        ``x`` and finite for ``|x|`` up to ``1e4``. Do not modify ``x``.
    """
    # TODO: the exact form with torch.erf, the approximate one with torch.tanh.
    raise NotImplementedError("TODO: gelu")


def mish(x: torch.Tensor) -> torch.Tensor:
    """Mish: ``x * tanh(softplus(x))``, with a softplus that cannot overflow.

    Args:
        x: float tensor of any shape (0-d and empty included).

    Returns:
        A new tensor with the shape, dtype and device of ``x``, differentiable with respect to
        ``x``; both the value and the gradient stay finite for ``|x|`` up to ``1e4``. Do not
        modify ``x``.
    """
    # TODO: write a stable softplus, then multiply x by its tanh.
    raise NotImplementedError("TODO: mish")
