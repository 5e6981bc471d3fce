"""Three modern activation functions: LeakyReLU, GELU and Mish (reference solution)."""

import math

import torch


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """``x`` where ``x > 0``, ``negative_slope * x`` elsewhere."""
    # torch.where keeps the dtype and device of x, and autograd gives slope 1 on the
    # positive side and negative_slope on the other (x = 0 included, as torch does).
    return torch.where(x > 0, x, x * negative_slope)


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """``x * Phi(x)``, exactly with erf or with the tanh approximation."""
    if approximate == "none":
        # Phi(x) = (1 + erf(x / sqrt(2))) / 2 is the standard normal CDF.
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if approximate == "tanh":
        # tanh saturates to +-1 for large |x|, so the cube overflowing to inf does no harm
        # to the value, and the slope (1 - tanh**2) is exactly 0 there.
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + torch.tanh(inner))
    raise ValueError(f"approximate must be 'none' or 'tanh', not {approximate!r}")


def softplus(x: torch.Tensor) -> torch.Tensor:
    """``log(1 + exp(x))`` without overflow."""
    # log(1 + e^x) = max(x, 0) + log(1 + e^(-|x|)): the exponent is never positive, so
    # neither the value nor autograd's slope e^x / (1 + e^x) sees an inf.
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-torch.abs(x)))


def mish(x: torch.Tensor) -> torch.Tensor:
    """``x * tanh(softplus(x))``."""
    return x * torch.tanh(softplus(x))
