"""The device probe: run a learner call again on PyTorch's 'meta' device, to find tensors made on the CPU.

A tensor the learner creates on the CPU (instead of on the inputs' device) shows up as a device error or a CPU output
when the inputs are 'meta' tensors, even on a machine without a GPU. Runs only inside the forked worker.
"""

from __future__ import annotations

import sys
from typing import Any


def tensors(items: list[tuple[str, Any]], depth: int = 0) -> list[tuple[str, Any]]:
    """(label, tensor) for every tensor in the arguments: ``0``, ``1[2]``, ``state['h']``."""
    import torch

    out: list[tuple[str, Any]] = []
    for label, a in items:
        if isinstance(a, torch.Tensor):
            out.append((label, a))
        elif depth < 3 and isinstance(a, (list, tuple)):
            out += tensors([(f"{label}[{i}]", v) for i, v in enumerate(a)], depth + 1)
        elif depth < 3 and isinstance(a, dict):
            out += tensors([(f"{label}[{k!r}]", v) for k, v in a.items()], depth + 1)
    return out


def same(a: Any, b: Any) -> bool:
    import torch

    b = b.detach()
    return bool(
        a.shape == b.shape
        and a.dtype == b.dtype
        and torch.equal(a, b)
        or (a.is_floating_point() and torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(), b.nan_to_num()))
    )


DEVICE_WORDS = ("same device", "expected device", "is on device", "on the expected device", "device type")


def meta_probe(fn: Any, args: Any, kwargs: dict) -> str | None:
    """Run ``fn`` again on 'meta' copies of its tensor inputs: a tensor the learner creates on the CPU
    (instead of on the inputs' device) then shows up as a device error or a CPU output, even on a
    machine without a GPU. Anything else that fails on 'meta' proves nothing and is ignored."""
    import io
    import warnings

    import torch

    leaves: list[Any] = []

    def to_meta(x: Any) -> Any:
        if isinstance(x, torch.Generator):
            raise LookupError  # random draws follow the generator's device: not a learner bug here
        if isinstance(x, torch.Tensor):
            leaves.append(x)
            return x.detach().to("meta")
        if isinstance(x, (list, tuple)):
            return type(x)(to_meta(v) for v in x)
        if isinstance(x, dict):
            return {k: to_meta(v) for k, v in x.items()}
        return x

    try:
        margs = to_meta(tuple(args))
        mkwargs = to_meta(dict(kwargs))
    except LookupError:
        return None
    if not leaves:
        return None
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(*margs, **mkwargs)
    except Exception as exc:
        text = str(exc)
        if "meta" in text and "cpu" in text and any(w in text for w in DEVICE_WORDS):
            return text.splitlines()[0][:300]
        return None
    finally:
        sys.stdout, sys.stderr = saved

    def cpu_outputs(x: Any) -> bool:
        if isinstance(x, torch.Tensor):
            return x.device.type == "cpu" and x.dim() > 0
        if isinstance(x, (list, tuple)):
            return any(cpu_outputs(v) for v in x)
        if isinstance(x, dict):
            return any(cpu_outputs(v) for v in x.values())
        return False

    if cpu_outputs(out):
        return "it returned a CPU tensor for inputs on another device"
    return None
