"""What a hidden suite uses: the ``learner`` proxy and comparison helpers.

Runs only in the trusted pytest process. A suite reaches learner code through the
``learner`` fixture; every value it gets back is plain data decoded from the worker.

    def test_matches_reference(learner, device):
        logits = torch.randn(8, 5, device=device, dtype=torch.float64)
        got = learner.softmax_cross_entropy(logits, target)
        expect_close(got, F.cross_entropy(logits, target))
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
from collections.abc import Callable, Iterable
from typing import Any

import torch

from grader import protocol
from grader.problems import CheckFailure, LearnerProblem

__all__ = [
    "CheckFailure",
    "Learner",
    "LearnerProblem",
    "describe",
    "expect",
    "expect_close",
    "expect_unchanged",
    "sibling",
    "tolerance",
]

DEFAULT_TOL = {
    torch.float64: (1e-7, 1e-9),
    torch.float32: (1e-4, 1e-5),
    torch.float16: (1e-2, 1e-3),
    torch.bfloat16: (2e-2, 1e-2),
}

# Set by the plugin for the test being run.
CURRENT: dict[str, Any] = {"exercise": {}, "device": "cpu", "learner": None}


def sibling(suite_file: str, name: str) -> Any:
    """Import ``name.py`` from the suite's own folder: helpers shared by several suites of a lesson.

    Name it without the ``test_`` prefix so it is not collected. Scenarios defined there can be
    passed to ``learner.run`` like those of the suite itself.
    """
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(suite_file).with_name(f"{name}.py")
    key = f"dlgrade_suite_support.{path.parent.name}.{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no suite helper {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


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


def tolerance(dtype: torch.dtype) -> tuple[float, float]:
    """(rtol, atol) for ``dtype``: the exercise's own, widened on CUDA, else the defaults."""
    key = str(dtype).removeprefix("torch.")
    ex = CURRENT["exercise"]
    rtol, atol = DEFAULT_TOL.get(dtype, (0.0, 0.0))
    own = ex.get("tolerance", {}).get(key)
    if own:
        rtol, atol = own["rtol"], own["atol"]
    if str(CURRENT["device"]).startswith("cuda"):
        wide = ex.get("cuda_tolerance", {}).get(key)
        if wide:
            rtol, atol = max(rtol, wide["rtol"]), max(atol, wide["atol"])
    return rtol, atol


def expect(condition: bool, message: str, kind: str = "wrong_values", **details: Any) -> None:
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailure(kind, message, details)


def _index(flat_index: int, shape: tuple[int, ...]) -> list[int]:
    idx = []
    for dim in reversed(shape):
        idx.append(flat_index % dim if dim else 0)
        flat_index //= dim if dim else 1
    return list(reversed(idx))


def _preview(t: torch.Tensor) -> list[Any] | None:
    if t.numel() > 256 or t.dim() > 2:
        return None
    return t.detach().cpu().tolist()  # type: ignore[no-any-return]


def expect_close(
    got: Any,
    expected: Any,
    *,
    name: str = "the result",
    rtol: float | None = None,
    atol: float | None = None,
    kind: str = "wrong_values",
    check_dtype: bool = True,
    check_device: bool = True,
    equal_nan: bool = False,
    picture: str | None = None,
    picture_input: Any = None,
) -> None:
    """Compare a learner value with a reference: type, shape, dtype, device, then values.

    Tuples and lists are compared element by element. Numbers are compared as floats.
    On a value mismatch the details carry a small heatmap of |expected - got|; ``picture``
    adds another view for the HTML report: ``"trajectory"`` (rows are steps, columns are
    parameters, e.g. an optimizer's path) or ``"feature_maps"`` (N, C, H, W maps; give the
    input as ``picture_input``).
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise CheckFailure(
                "wrong_type",
                f"{name} should be a {type(expected).__name__} of {len(expected)} values, got {describe(got)}",
            )
        for i, (g, e) in enumerate(zip(got, expected)):
            expect_close(
                g,
                e,
                name=f"{name}[{i}]",
                rtol=rtol,
                atol=atol,
                kind=kind,
                check_dtype=check_dtype,
                check_device=check_device,
                equal_nan=equal_nan,
                picture=picture,
                picture_input=picture_input,
            )
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            raise CheckFailure("wrong_type", f"{name} should be a number, got {describe(got)}")
        r, a = (rtol, atol) if rtol is not None and atol is not None else (1e-6, 1e-8)
        if not math.isclose(float(got), float(expected), rel_tol=r, abs_tol=a):
            raise CheckFailure(
                kind,
                f"{name}: expected {expected:.6g}, got {got:.6g}",
                {"expected": expected, "got": got, "max_abs_err": abs(got - expected)},
            )
        return
    if not isinstance(expected, torch.Tensor):
        if got != expected:
            raise CheckFailure(kind, f"{name}: expected {expected!r}, got {describe(got)}")
        return
    _check_tensor_meta(got, expected, name, check_dtype, check_device)
    if expected.is_floating_point() or expected.is_complex():
        r0, a0 = tolerance(expected.dtype)
        r = r0 if rtol is None else rtol
        a = a0 if atol is None else atol
    else:
        r, a = 0.0, 0.0
    g = got.detach().to("cpu", torch.float64) if not got.is_complex() else got.detach().cpu()
    e = expected.detach().to("cpu", torch.float64) if not expected.is_complex() else expected.detach().cpu()
    if g.numel() == 0:
        return
    if not equal_nan:
        bad = ~torch.isfinite(g) & torch.isfinite(e)
        if bool(bad.any()):
            flat = int(bad.reshape(-1).nonzero()[0])
            idx = _index(flat, tuple(g.shape))
            raise CheckFailure(
                "nan_inf",
                f"{name} holds {int(bad.sum())} non-finite value(s) where the reference is finite; "
                f"first at index {idx}: got {g.reshape(-1)[flat].item()}, expected {e.reshape(-1)[flat].item():.6g}",
                {"index": idx, "count": int(bad.sum())},
            )
    diff = (g - e).abs()
    both_nan = torch.isnan(g) & torch.isnan(e)
    diff = torch.where(both_nan, torch.zeros_like(diff), diff)
    same_inf = torch.isinf(e) & (g == e)
    diff = torch.where(same_inf, torch.zeros_like(diff), diff)
    diff = torch.nan_to_num(diff, nan=math.inf)
    allowed = a + r * e.abs().nan_to_num(posinf=0.0, neginf=0.0)
    over = diff > allowed
    if bool(over.any()):
        flat = int(torch.argmax(torch.where(over, diff, torch.zeros_like(diff)).reshape(-1)))
        idx = _index(flat, tuple(g.shape))
        max_abs = float(diff.reshape(-1)[flat])
        ev = float(e.reshape(-1)[flat].real) if e.is_complex() else float(e.reshape(-1)[flat])
        gv = float(g.reshape(-1)[flat].real) if g.is_complex() else float(g.reshape(-1)[flat])
        rel = max_abs / abs(ev) if ev and math.isfinite(ev) else math.inf
        if not math.isfinite(ev) or not math.isfinite(gv):
            max_abs = math.inf
        n_bad = int(over.sum())
        details = {
            "index": idx,
            "expected_value": ev,
            "got_value": gv,
            "max_abs_err": max_abs,
            "max_rel_err": rel,
            "mismatched": n_bad,
            "numel": int(g.numel()),
            "rtol": r,
            "atol": a,
        }
        if g.dim() <= 2 and g.numel() <= 256:
            details["abs_err"] = _preview(diff.reshape(g.shape) if g.dim() else diff.reshape(1))
            details["expected"] = _preview(e if e.dim() else e.reshape(1))
            details["got"] = _preview(g if g.dim() else g.reshape(1))
        if not g.is_complex():
            details["heatmap"] = _grid(diff.reshape(g.shape))
            if picture == "trajectory":
                details["trajectory"] = {"expected": _path(e), "got": _path(g)}
            elif picture == "feature_maps" and g.dim() >= 2:
                maps = {"expected": _grid(_first_map(e)), "got": _grid(_first_map(g))}
                if isinstance(picture_input, torch.Tensor) and picture_input.dim() >= 2:
                    maps["input"] = _grid(_first_map(picture_input.detach().to("cpu", torch.float64)))
                details["feature_maps"] = maps
        raise CheckFailure(
            kind,
            f"{name}: {n_bad} of {g.numel()} values differ; largest error {max_abs:.3g} "
            f"(relative {rel:.3g}) at index {idx}: expected {ev:.6g}, got {gv:.6g} "
            f"(rtol={r:g}, atol={a:g})",
            details,
        )


def _grid(t: torch.Tensor, size: int = 32) -> list[list[float]]:
    """A tensor as a 2-D grid of at most ``size`` x ``size`` cells (block maxima), for pictures."""
    t = t.detach().to("cpu", torch.float64)
    if t.dim() == 0:
        t = t.reshape(1, 1)
    elif t.dim() == 1:
        t = t.reshape(1, -1)
    else:
        t = t.reshape(-1, t.shape[-1])
    t = torch.nan_to_num(t, nan=0.0, posinf=1e300, neginf=-1e300)
    rows, cols = t.shape
    if rows > size or cols > size:
        kr, kc = max(1, -(-rows // size)), max(1, -(-cols // size))
        pr, pc = (-rows) % kr, (-cols) % kc
        t = torch.nn.functional.pad(t, (0, pc, 0, pr))
        t = t.reshape(t.shape[0] // kr, kr, t.shape[1] // kc, kc).amax(dim=(1, 3))
    return [[round(float(v), 6) for v in row] for row in t.tolist()]


def _first_map(t: torch.Tensor) -> torch.Tensor:
    t = t.detach().to("cpu", torch.float64)
    while t.dim() > 2:
        t = t[0]
    return t


def _path(t: torch.Tensor, steps: int = 100, series: int = 4) -> list[list[float]]:
    """Rows are steps, columns are (at most ``series``) parameters."""
    t = t.detach().to("cpu", torch.float64)
    t = t.reshape(t.shape[0], -1) if t.dim() else t.reshape(1, 1)
    t = t[:, :series]
    stride = max(1, -(-t.shape[0] // steps))
    return [[round(float(v), 6) for v in row] for row in t[::stride].tolist()]


def _check_tensor_meta(got: Any, expected: torch.Tensor, name: str, check_dtype: bool, check_device: bool) -> None:
    if not isinstance(got, torch.Tensor):
        raise CheckFailure(
            "wrong_type", f"{name} should be a torch.Tensor of shape {list(expected.shape)}, got {describe(got)}"
        )
    info = protocol.tensor_info(got)
    if info is not None and info.pytype != "Tensor":
        raise CheckFailure(
            "wrong_type",
            f"{name} is a {info.pytype}, a subclass of torch.Tensor; return a plain torch.Tensor",
        )
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailure(
            "wrong_shape",
            f"{name} has shape {list(got.shape)}, expected {list(expected.shape)}",
            {"got_shape": list(got.shape), "expected_shape": list(expected.shape)},
        )
    if check_dtype and got.dtype != expected.dtype:
        raise CheckFailure(
            "wrong_dtype",
            f"{name} has dtype {str(got.dtype).removeprefix('torch.')}, "
            f"expected {str(expected.dtype).removeprefix('torch.')} (keep the dtype of the inputs)",
        )
    got_dev = info.device if info is not None else str(got.device)
    if check_device and torch.device(got_dev).type != expected.device.type:
        raise CheckFailure(
            "wrong_device",
            f"{name} is on {got_dev}, expected {expected.device} (create new tensors on the inputs' device, "
            f"e.g. torch.zeros(..., device=x.device))",
        )


def expect_unchanged(before: Any, after: Any, name: str = "an input") -> None:
    """Compare a tensor before and after a scenario changed (or should not have changed) it.

    ``learner.fn(...)`` already fails a check whose call modifies a tensor argument in place;
    this helper is for scenarios that return an input after running learner code on it.
    """
    if isinstance(before, torch.Tensor) and not torch.equal(before.detach().cpu(), after.detach().cpu()):
        raise CheckFailure("modified_input", f"{name} was modified in place; work on a copy or out of place")


# ---------------------------------------------------------------------- the proxy


class Learner:
    """The learner's module, one process away. ``learner.fn(*args)`` calls ``fn`` there."""

    def __init__(self, worker: Any, exercise: dict) -> None:
        self._worker = worker
        self._exercise = exercise
        self.last_call: str | None = None
        self.last_output: str = ""
        self._short: str | None = None  # the function's name, for messages beside the full call

    # -- plumbing
    def _names(self) -> list[str] | None:
        reply = self._worker.import_reply
        if self._worker.import_failure is not None:
            raise LearnerProblem(self._worker.import_failure.kind, self._worker.import_failure.message)
        if reply is None:
            reply = self._worker.start()
        if not reply.get("ok"):
            self._raise(reply, "importing the module")
        value = reply.get("value") or {}
        names = value.get("names")
        return list(names) if isinstance(names, list) else None

    def _raise(self, reply: dict, what: str) -> None:
        what = self._short or what
        err = reply.get("error") or {}
        etype = str(err.get("type", "Error"))
        msg = str(err.get("message", ""))
        where = err.get("where") or []
        at = ""
        if where:
            last = where[-1]
            at = f"\n  at {last.get('file')} line {last.get('line')}, in {last.get('function')}: {last.get('code')}"
        file = self._exercise.get("file", "the module")
        if reply.get("phase") == "import" or etype == "ImportFailed":
            if etype in {"SyntaxError", "IndentationError", "TabError"}:
                raise LearnerProblem(
                    "syntax_error",
                    f"{etype} in {err.get('file') or file} line {err.get('line')}: {msg.split(' (')[0]}"
                    + (f"\n    {err.get('text')}" if err.get("text") else ""),
                )
            if etype == "SystemExit":
                raise LearnerProblem("exit", f"{file} called sys.exit() while being imported")
            raise LearnerProblem("import_error", f"importing {file} raised {etype}: {msg}{at}")
        if etype == "NotImplementedError":
            raise LearnerProblem("not_implemented", f"{what} is not implemented yet" + (f": {msg}" if msg else ""))
        if etype == "MemoryError":
            raise LearnerProblem("resource", f"{what} ran out of memory (the worker's memory limit){at}")
        if etype == "SystemExit":
            raise LearnerProblem("exit", f"{what} called sys.exit(){at}")
        if etype == "UnsupportedValue":
            raise LearnerProblem("wrong_type", f"{what} returned a value that cannot be checked: {msg}")
        raise LearnerProblem("exception", f"{what} raised {etype}: {msg}{at}")

    def _request(self, op: dict, what: str, short: str | None = None) -> Any:
        self.last_call = what
        self._short = short
        reply = self._worker.request(op, what)
        text, total = self._worker.take_output()
        self.last_output = text + (f"\n... output cut: {total} bytes printed in all" if total > len(text) else "")
        forbidden = reply.get("forbidden") or []
        if forbidden:
            raise LearnerProblem(
                "forbidden_api",
                f"{what} called {', '.join(forbidden)}, which this exercise asks you to write yourself",
            )
        if not reply.get("ok"):
            self._raise(reply, what)
        return reply.get("value")

    def _require(self, name: str) -> None:
        names = self._names()
        if names is not None and name not in names:
            raise LearnerProblem("missing_name", f"{self._exercise.get('file', 'the module')} does not define {name}")

    # -- the suite-facing API
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``name`` in the worker; a tensor argument changed in place fails the check."""
        return self.call_named(name, None, *args, **kwargs)

    def call_named(self, name: str, arg_names: list[str] | None, *args: Any, **kwargs: Any) -> Any:
        """``call``, with the positional arguments named in feedback (``query=float32[2, 4] cpu``)."""
        self._require(name)
        what = describe_call(name, args, kwargs, arg_names)
        on_cpu = str(CURRENT["device"]) == "cpu"
        reply = self._request(
            {"op": "call", "name": name, "args": args, "kwargs": kwargs, "check_inputs": True, "meta_probe": on_cpu},
            what,
            name,
        )
        problem = reply.get("device_problem") if isinstance(reply, dict) else None
        if problem:
            raise CheckFailure(
                "wrong_device",
                f"{name} creates a tensor on the CPU even when its inputs live on another device, so it would "
                f"fail on a GPU ({problem}). Create new tensors on the inputs' device, e.g. "
                f"torch.zeros(n, device=x.device) or x.new_zeros(n). (Found by running your code on tensors of "
                f"PyTorch's 'meta' device.)",
            )
        modified = reply.get("modified") if isinstance(reply, dict) else None
        if modified:

            def label(m: str) -> str:
                head, bracket, rest = m.partition("[")
                if head.isdigit() and arg_names and int(head) < len(arg_names):
                    return arg_names[int(head)] + bracket + rest
                return f"argument {m}" if head.isdigit() else m

            which = ", ".join(label(m) for m in modified)
            raise CheckFailure(
                "modified_input",
                f"{name} changed its input in place ({which}); compute a new tensor instead "
                f"(e.g. x = x - m rather than x -= m or x.sub_(m))",
            )
        return reply.get("$call") if isinstance(reply, dict) else reply

    def call_inplace(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``name`` when changing its inputs in place is the documented behaviour."""
        self._require(name)
        what = describe_call(name, args, kwargs)
        return self._request({"op": "call", "name": name, "args": args, "kwargs": kwargs}, what, name)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    def backward(
        self,
        name: str,
        *args: Any,
        wrt: tuple[int, ...] = (0,),
        upstream: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> tuple[Any, list[Any]]:
        """Call ``name``, back-propagate ``upstream`` through its output, return (output, grads of ``wrt``)."""
        self._require(name)
        what = describe_call(name, args, kwargs)
        value = self._request(
            {"op": "backward", "name": name, "args": args, "kwargs": kwargs, "wrt": list(wrt), "upstream": upstream},
            what,
            name,
        )
        out, grads = value["out"], value["grads"]
        if grads is None:
            raise CheckFailure("wrong_type", f"{what} should return a torch.Tensor, got {describe(out)}")
        for i, g in zip(wrt, grads):
            if g is None:
                raise CheckFailure(
                    "wrong_gradient",
                    f"no gradient reached argument {i} of {what}: the output is not connected to it "
                    f"(a .detach(), .data, .item() or a new tensor breaks the graph)",
                )
        return out, grads

    def run(self, scenario: Callable[..., Any], *args: Any, label: str | None = None, **kwargs: Any) -> Any:
        """Run ``scenario(module, *args)`` in the worker and return its plain-data result.

        ``scenario`` must be a top-level function that imports what it needs inside its body.
        """
        source = textwrap.dedent(inspect.getsource(scenario))
        what = label or describe_call(scenario.__name__.lstrip("_"), args, kwargs)
        return self._request(
            {"op": "scenario", "source": source, "function": scenario.__name__, "args": args, "kwargs": kwargs},
            what,
            label or scenario.__name__.lstrip("_"),
        )

    def check_forbidden(self) -> None:
        """Fail if the learner's source mentions a forbidden built-in (the worker also traps calls).

        An unfinished module fails this check too: not using the built-in earns nothing until
        the learner's own code stands in its place. This check is a *gate*: it earns no
        points of its own, and failing it sets the exercise's score to zero.
        """
        CURRENT["gate"] = True
        self._names()
        path = self._exercise.get("module_path")
        forbid = self._exercise.get("forbid", [])
        try:
            with open(path or "", encoding="utf-8", errors="replace") as fh:
                source = fh.read()
        except OSError:
            raise LearnerProblem("import_error", "the learner's file could not be read") from None
        todo = unfinished(source, self._exercise.get("names", []))
        if todo:
            raise LearnerProblem("not_implemented", f"{', '.join(todo)} still raise NotImplementedError")
        found = scan_forbidden(source, forbid)
        if found:
            name, line = found[0]
            raise CheckFailure(
                "forbidden_api",
                f"{self._exercise.get('file')} line {line} uses {name}, which this exercise asks you to write yourself",
            )


def unfinished(source: str, names: list[str]) -> list[str]:
    """The required functions/classes whose body still raises NotImplementedError."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Raise) and sub.exc is not None:
                    exc = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
                    if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                        out.append(node.name)
                        break
    return out


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound by imports: ``F`` -> ``torch.nn.functional``, ``torch`` -> ``torch``."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    out[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def scan_forbidden(source: str, forbid: list[str]) -> list[tuple[str, int]]:
    """Static scan for forbidden built-ins: ``[(what was written (what it is), line)]``.

    Module functions (``torch.nn.functional.conv2d``) match when an attribute chain resolves to
    them through the module's imports (``F.conv2d``, ``torch.conv2d`` is a different name), or
    when imported by name. Tensor methods (``torch.Tensor.unfold``) match any ``.unfold`` use,
    and ``@`` for ``__matmul__``. A string holding the name matches too (for ``getattr``).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    aliases = _aliases(tree)
    full = set(forbid)
    methods = {d.rsplit(".", 1)[1]: d for d in forbid if d.startswith("torch.Tensor.")}
    by_last: dict[str, str] = {}
    for d in forbid:
        by_last.setdefault(d.rsplit(".", 1)[-1], d)
    ops = {"__matmul__": ast.MatMult, "__pow__": ast.Pow}
    hits: list[tuple[str, int]] = []

    def resolve(written: str) -> str | None:
        head, _, rest = written.partition(".")
        if head in aliases:
            return aliases[head] + ("." + rest if rest else "")
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            written = _dotted(node)
            resolved = resolve(written) if written else None
            if resolved in full:
                hits.append((written if written == resolved else f"{written} ({resolved})", node.lineno))
            elif node.attr in methods and not (resolved and resolved.split(".")[0] in ("torch", "numpy")):
                hits.append((f"{written or '.' + node.attr} ({methods[node.attr]})", node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                name = f"{node.module}.{a.name}"
                if name in full:
                    hits.append((name, node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            v = node.value
            if v in full or (v in by_last and "_" in v.strip("_")):
                hits.append((f"the string {v!r} ({by_last.get(v, v)})", node.lineno))
        elif isinstance(node, (ast.BinOp, ast.AugAssign)):
            for attr, op in ops.items():
                if attr in methods and isinstance(node.op, op):
                    hits.append(
                        (f"the {'@' if attr == '__matmul__' else '**'} operator ({methods[attr]})", node.lineno)
                    )
    return sorted(hits, key=lambda h: h[1])
