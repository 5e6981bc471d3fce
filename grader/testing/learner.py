"""The ``learner`` proxy: the learner's module, one process away. Runs only in the trusted pytest process.

``learner.fn(*args)`` sends a request to the worker and returns its plain-data reply; errors, exits, timeouts and
forbidden calls in learner code become ``LearnerProblem`` failures with a message a learner can act on.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
import types
from collections.abc import Callable
from typing import Any

import torch

from grader.engine.problems import CheckFailure, LearnerProblem
from grader.testing.describe import describe, describe_call
from grader.testing.session import current
from grader.testing.source import scan_forbidden


class Learner:
    """The learner's module, one process away. ``learner.fn(*args)`` calls ``fn`` there."""

    def __init__(self, worker: Any, exercise: dict) -> None:
        self._worker = worker
        self._exercise = exercise
        self.last_call: str | None = None
        self.last_output: str = ""
        self._short: str | None = None  # the function's name, for messages beside the full call

    # -- plumbing
    @property
    def worker_time_s(self) -> float:
        """CPU seconds the learner's worker has spent on this exercise's requests so far."""
        return float(self._worker.cpu_s)

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
        if etype == "BackwardFailed":
            raise LearnerProblem(
                "exception",
                f"{what} returned, but backward() through its result raised {msg} "
                f"(the forward pass is fine; look at what the backward computation needs){at}",
            )
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
        on_cpu = str(current().device) == "cpu"
        reply = self._request(
            {"op": "call", "name": name, "args": args, "kwargs": kwargs, "check_inputs": True, "meta_probe": on_cpu},
            what,
            name,
        )
        problem = reply.get("device_problem") if isinstance(reply, dict) else None
        if problem:
            raise _device_failure(name, problem)
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
        source = scenario_source(scenario.__code__, scenario.__code__.co_filename)
        short = label or scenario.__name__.lstrip("_")
        what = label or describe_call(scenario.__name__.lstrip("_"), args, kwargs)
        on_cpu = str(current().device) == "cpu"
        reply = self._request(
            {
                "op": "scenario",
                "source": source,
                "function": scenario.__name__,
                "args": args,
                "kwargs": kwargs,
                "meta_probe": on_cpu,
            },
            what,
            short,
        )
        if not on_cpu:
            return reply
        if reply.get("device_problem"):
            raise _device_failure(short, reply["device_problem"])
        return reply.get("$scenario")

    def check_forbidden(self) -> None:
        """Fail if the learner's source mentions a forbidden built-in (the worker also traps calls).

        This check is a *gate*: it earns no points of its own, and failing it sets the exercise's score to zero (the
        report says why). Whether the code is finished is for the other checks to find: a body that still raises
        NotImplementedError fails the checks that reach it, and only those.
        """
        current().gate = True
        self._names()
        path = self._exercise.get("module_path")
        forbid = self._exercise.get("forbid", [])
        try:
            with open(path or "", encoding="utf-8", errors="replace") as fh:
                source = fh.read()
        except OSError:
            raise LearnerProblem("import_error", "the learner's file could not be read") from None
        found = scan_forbidden(source, forbid)
        if found:
            name, line = found[0]
            raise CheckFailure(
                "forbidden_api",
                f"{self._exercise.get('file')} line {line} uses {name}, which this exercise asks you to write yourself",
            )


def _device_failure(name: str, problem: str) -> CheckFailure:
    return CheckFailure(
        "wrong_device",
        f"{name} creates a tensor on the CPU even when its inputs live on another device, so it would "
        f"fail on a GPU ({problem}). Create new tensors on the inputs' device, e.g. "
        f"torch.zeros(n, device=x.device) or x.new_zeros(n). (Found by running your code on tensors of "
        f"PyTorch's 'meta' device.)",
    )


@functools.lru_cache(maxsize=256)
def scenario_source(code: types.CodeType, filename: str) -> str:
    """A scenario's source, read once per function (a check may run the same scenario many times); ``filename``
    is part of the key because equal code objects from two suites compare equal."""
    return textwrap.dedent(inspect.getsource(code))
