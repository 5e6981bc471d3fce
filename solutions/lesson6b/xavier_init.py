"""Xavier (Glorot) initialization, uniform and normal (reference solution)."""

import math

import torch


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``."""
    if len(shape) < 2:
        raise ValueError(f"a weight needs at least 2 dimensions, got shape {tuple(shape)}")
    # Each kernel position is one more input of an output unit, and one more output
    # that an input value feeds, so the kernel size multiplies both fans.
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def xavier_std(shape: tuple[int, ...], gain: float) -> float:
    fan_in, fan_out = fans(shape)
    # 2 / (fan_in + fan_out) sits between 1 / fan_in (keeps the forward variance) and
    # 1 / fan_out (keeps the backward variance); the gain corrects for the nonlinearity.
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform(weight: torch.Tensor, generator: torch.Generator, gain: float = 1.0) -> torch.Tensor:
    """New tensor like ``weight`` drawn from ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    # A uniform on [-a, a] has variance a**2 / 3, so a = sqrt(3) * std gives the Xavier variance.
    bound = math.sqrt(3.0) * xavier_std(tuple(weight.shape), gain)
    out = torch.empty_like(weight, memory_format=torch.contiguous_format)
    # The draw happens on a fresh tensor, so the caller's weight is never touched.
    with torch.no_grad():
        out.uniform_(-bound, bound, generator=generator)
    return out


def xavier_normal(weight: torch.Tensor, generator: torch.Generator, gain: float = 1.0) -> torch.Tensor:
    """New tensor like ``weight`` drawn from ``N(0, std**2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    std = xavier_std(tuple(weight.shape), gain)
    out = torch.empty_like(weight, memory_format=torch.contiguous_format)
    with torch.no_grad():
        out.normal_(0.0, std, generator=generator)
    return out
