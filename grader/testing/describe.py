"""Short descriptions of values and calls for feedback: ``float32[8, 5] cpu``, ``softmax(x=float64[2, 3] cpu)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from grader.engine import protocol


def describe(x: Any, depth: int = 0) -> str:
    """A short description of a value: ``float32[8, 5] cpu``, ``3``, ``tuple(2)``."""
    if isinstance(x, torch.Tensor):
        dt = str(x.dtype).removeprefix("torch.")
        info = protocol.tensor_info(x)
        dev = info.device if info else str(x.device)
        return f"{dt}[{', '.join(map(str, x.shape))}] {dev}"
    if isinstance(x, (bool, int)) or x is None:
        return repr(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, str):
        return repr(x[:40])
    if isinstance(x, (tuple, list)):
        kind = type(x).__name__
        if depth >= 1 or len(x) > 4:
            return f"{kind} of {len(x)}"
        inner = ", ".join(describe(v, depth + 1) for v in x)
        return f"({inner})" if kind == "tuple" else f"[{inner}]"
    if isinstance(x, dict):
        return f"dict of {len(x)}"
    if isinstance(x, torch.nn.Module):
        return type(x).__name__
    if isinstance(x, protocol.ObjectValue):
        article = "an" if x.typename[:1].lower() in "aeiou" else "a"
        return f"{article} {x.typename} object"
    return type(x).__name__


def describe_call(name: str, args: Iterable[Any], kwargs: dict[str, Any], names: list[str] | None = None) -> str:
    parts = []
    for i, a in enumerate(args):
        label = names[i] if names and i < len(names) else None
        parts.append(f"{label}={describe(a)}" if label else describe(a))
    parts += [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"
