"""The device probe: run a learner call again on PyTorch's 'meta' device, to find tensors made on the CPU.

A tensor the learner creates on the CPU (instead of on the inputs' device) shows up as a device error or a CPU output
when the inputs are 'meta' tensors, even on a machine without a GPU. Runs only inside the forked worker.
"""

from __future__ import annotations

import os
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


FACTORIES = (
    "zeros", "ones", "empty", "full", "eye", "arange", "range", "rand", "randn", "randint", "randperm", "linspace",
    "logspace", "tensor", "as_tensor", "scalar_tensor", "empty_strided", "tril_indices", "triu_indices", "normal",
)  # fmt: skip


def _suite_on_meta(roots: tuple[str, ...]) -> Any:
    """A torch function mode for the probe: tensors that code *other* than the learner's makes without a device (the
    suite's scenario building inputs) go to 'meta' with the rest, and so do those a learner's module makes while it
    is built; the ones the learner's code makes while it runs stay on the CPU, as they would beside a GPU, where they
    are the bug the probe looks for."""
    import torch
    from torch.overrides import TorchFunctionMode

    factories = {getattr(torch, name) for name in FACTORIES if hasattr(torch, name)}
    torch_dir = os.path.dirname(torch.__file__) + os.sep

    def from_learner() -> bool:
        f = sys._getframe(2)
        while f is not None and f.f_code.co_filename.startswith(torch_dir):
            f = f.f_back  # type: ignore[assignment]
        learner = False
        while f is not None and f.f_code.co_filename.startswith(roots):
            learner = True
            if f.f_code.co_name == "__init__" and isinstance(f.f_locals.get("self"), torch.nn.Module):
                # Building a module: its tensors are moved to the device with the module afterwards, as they
                # should be. (An optimizer is not moved: tensors its __init__ makes still count.)
                return False
            f = f.f_back  # type: ignore[assignment]
        return learner

    # Calls that move or copy across devices, or index with a CPU index: fine beside a GPU too.
    crossing = {
        torch.Tensor.to, torch.Tensor.copy_, torch.Tensor.type_as, torch.Tensor.__getitem__,
        torch.Tensor.__setitem__, torch.Tensor.new_tensor, torch.Tensor.cpu,
    }  # fmt: skip

    def devices(values: Any, depth: int = 0) -> set[str]:
        found: set[str] = set()
        for v in values:
            if isinstance(v, torch.Tensor):
                if v.dim() > 0:  # a 0-d CPU tensor is a number: CUDA ops take it too
                    found.add(v.device.type)
            elif depth < 2 and isinstance(v, (list, tuple)):
                found |= devices(v, depth + 1)
        return found

    class SuiteOnMeta(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            kwargs = dict(kwargs or {})
            if func in factories and kwargs.get("device") is None and not from_learner():
                kwargs["device"] = "meta"
            elif func is torch.Tensor.__bool__ and args and getattr(args[0], "is_meta", False):
                # A data-dependent branch (a range check, say) cannot look at 'meta' values: take the path of
                # valid input, so the code after it is probed too.
                return False
            elif func not in crossing and {"meta", "cpu"} <= devices([*args, *kwargs.values()]):
                # Some ops on 'meta' accept a CPU operand where the same op on a GPU refuses it: refuse here too.
                raise RuntimeError(
                    f"Expected all tensors to be on the same device, but found at least two devices, meta and cpu! "
                    f"(in {getattr(func, '__name__', func)})"
                )
            return func(*args, **kwargs)

    return SuiteOnMeta()


class _Uncacheable(Exception):
    pass


def _shape_of(x: Any, depth: int = 0) -> Any:
    import torch

    if isinstance(x, torch.Tensor):
        return ("tensor", tuple(x.shape), str(x.dtype), x.requires_grad)
    if x is None or isinstance(x, (bool, int, float, complex, str, bytes)):
        return (type(x).__name__, repr(x))
    if isinstance(x, (torch.dtype, torch.device, torch.Generator)):
        return (type(x).__name__, str(x) if not isinstance(x, torch.Generator) else "")
    if depth < 4 and isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_shape_of(v, depth + 1) for v in x))
    if depth < 4 and isinstance(x, dict):
        return ("dict", tuple((repr(k), _shape_of(v, depth + 1)) for k, v in x.items()))
    raise _Uncacheable


def probe_key(what: str, args: Any, kwargs: dict) -> Any:
    """What decides a probe's answer: the callee and the structure of its inputs (shapes, dtypes, plain values), never
    tensor values, which 'meta' tensors do not have. None when an input is something else (then probe every time)."""
    try:
        return (what, _shape_of(tuple(args)), _shape_of(dict(kwargs)))
    except _Uncacheable:
        return None


def meta_probe(fn: Any, args: Any, kwargs: dict, roots: tuple[str, ...] = ()) -> str | None:
    """Run ``fn`` again on 'meta' copies of its tensor inputs: a tensor the learner creates on the CPU
    (instead of on the inputs' device) then shows up as a device error or a CPU output, even on a
    machine without a GPU. Anything else that fails on 'meta' proves nothing and is ignored.

    ``fn`` may be a learner function or a suite's scenario (which builds the learner's classes and calls their
    methods); random draws from a CPU ``torch.Generator`` are fine on 'meta', so calls that take one are probed too.
    """
    import io
    import warnings

    import torch

    leaves: list[Any] = []

    def to_meta(x: Any) -> Any:
        if isinstance(x, torch.Tensor):
            leaves.append(x)
            return x.detach().to("meta").requires_grad_(x.requires_grad and x.is_floating_point())
        if isinstance(x, (list, tuple)):
            return type(x)(to_meta(v) for v in x)
        if isinstance(x, dict):
            return {k: to_meta(v) for k, v in x.items()}
        return x

    try:
        margs = to_meta(tuple(args))
        mkwargs = to_meta(dict(kwargs))
    except (TypeError, RuntimeError):
        return None
    if not leaves:
        return None
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        with warnings.catch_warnings(), _suite_on_meta(roots):
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
