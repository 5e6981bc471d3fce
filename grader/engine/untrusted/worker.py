"""The learner worker: the only place learner code runs.

A worker is forked by the zygote (``grader.engine.untrusted.zygote``) for one exercise of one run. It drops into
its own session, applies the sandbox and the limits, imports ONE learner module from a temporary copy of the
workspace and answers requests until its channel closes. It only ever *sends* plain data (see
``grader.engine.protocol``); a learner error becomes a reply, never a crash of the grader.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import resource
import signal
import socket
import sys
import time
import traceback
import types
from typing import Any

from grader.engine import protocol
from grader.engine.untrusted import sandbox
from grader.engine.untrusted.probe import meta_probe, probe_key, same, tensors
from grader.engine.untrusted.tripwires import Blocker, Tripwires

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux), so no worker outlives the grader."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: the trusted side still kills process groups on exit
        pass


def _set_limits(spec: dict) -> None:
    def lim(which: int, value: int) -> None:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    if spec.get("memory_bytes") and not str(spec.get("device", "cpu")).startswith("cuda"):
        lim(resource.RLIMIT_AS, int(spec["memory_bytes"]))
    if spec.get("cpu_seconds"):
        lim(resource.RLIMIT_CPU, int(spec["cpu_seconds"]))
    if spec.get("file_bytes"):
        lim(resource.RLIMIT_FSIZE, int(spec["file_bytes"]))
    lim(resource.RLIMIT_NOFILE, int(spec.get("max_files", 256)))
    lim(resource.RLIMIT_CORE, 0)
    # RLIMIT_NPROC counts every process of the uid: only meaningful once the worker has a uid of its own.
    if spec.get("max_procs") and spec.get("own_uid") and hasattr(resource, "RLIMIT_NPROC"):
        lim(resource.RLIMIT_NPROC, int(spec["max_procs"]))


def _learner_frames(tb: Any, roots: tuple[str, ...]) -> list[dict]:
    frames = []
    for fs in traceback.extract_tb(tb):
        if fs.filename.startswith(roots):
            frames.append(
                {
                    "file": os.path.relpath(fs.filename, roots[0]),
                    "line": fs.lineno,
                    "function": fs.name,
                    "code": (fs.line or "")[:200],
                }
            )
    return frames[-5:]


class BackwardFailed(Exception):
    """backward() through a learner function's output raised (its forward call returned)."""


def _error(exc: BaseException, roots: tuple[str, ...]) -> dict:
    try:
        message = str(exc)[:2000]
    except Exception:
        message = "<unprintable message>"
    err: dict[str, Any] = {
        "type": type(exc).__name__,
        "message": message,
        "where": _learner_frames(
            (exc.__cause__ if isinstance(exc, BackwardFailed) and exc.__cause__ else exc).__traceback__, roots
        ),
    }
    if isinstance(exc, SyntaxError):
        err["line"] = exc.lineno
        err["offset"] = exc.offset
        err["text"] = (exc.text or "").rstrip()[:200]
        err["file"] = os.path.basename(exc.filename or "")
    return err


def child_main(spec: dict, chan_fd: int, out_fd: int) -> None:
    """Run in the forked child: isolate, import the learner module, serve requests."""
    os.setsid()
    die_with_parent()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    keep = {0, 1, 2, chan_fd}
    for fd in range(3, 1024):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    sys.stdin = open(os.devnull)  # noqa: SIM115
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)

    workdir = spec["workdir"]
    module_dir = os.path.dirname(spec["module_path"])
    roots = (os.path.realpath(workdir) + os.sep, workdir + os.sep)
    # Both modes: the portable one enters user, mount and pid namespaces where the machine allows them.
    layers = sandbox.apply(dict(spec, cwd=module_dir))
    os.chdir(module_dir)
    sys.dont_write_bytecode = True
    os.environ.clear()
    os.environ.update(spec.get("env", {}))
    os.environ["HOME"] = workdir
    os.environ["TMPDIR"] = spec.get("tmpdir", workdir)

    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)

    # The import path: the learner's lesson folder first, then the interpreter's own
    # library folders; never the course, its solutions or the grader's source tree.
    trees = [os.path.realpath(p) for p in spec.get("hidden_trees", [])]
    exact = {os.path.realpath(p) for p in spec.get("hidden_exact", [])}

    def visible(p: str) -> bool:
        rp = os.path.realpath(p or ".")
        return rp not in exact and not any(rp == h or rp.startswith(h + os.sep) for h in trees)

    sys.path[:] = [module_dir] + [p for p in sys.path if p and visible(p)]
    for name in [m for m in sys.modules if m == "grader" or m.startswith("grader.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, Blocker(["grader", "solutions", "mutants", "dlgrade"]))
    _set_limits(dict(spec, own_uid=str(layers.get("user", "")).startswith("active")))
    tripwires = Tripwires(spec.get("forbid", []), roots)
    chan = protocol.Channel(socket.socket(fileno=chan_fd))

    def send(reply: dict) -> None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        reply["forbidden"] = tripwires.take()
        try:
            payload = protocol.encode_reply(reply)
        except Exception as exc:  # an unencodable value is the learner's error
            payload = protocol.encode_reply(
                {
                    "id": reply.get("id"),
                    "ok": False,
                    "error": {"type": "UnsupportedValue", "message": str(exc), "where": []},
                    "forbidden": reply["forbidden"],
                }
            )
        chan.send(payload)

    # Import the learner module. From here on learner code has run in this process: if the
    # worker's own machinery breaks (patched builtins, a closed channel), exit with 71 so the
    # grader blames the submission, not itself.
    try:
        _serve(spec, chan, send, roots, layers)
    except BaseException:
        os._exit(71)


def _serve(spec: dict, chan: protocol.Channel, send: Any, roots: tuple[str, ...], layers: dict[str, str]) -> None:
    module: types.ModuleType | None = None
    try:
        mspec = importlib.util.spec_from_file_location(spec["module_name"], spec["module_path"])
        assert mspec is not None and mspec.loader is not None
        module = importlib.util.module_from_spec(mspec)
        sys.modules[spec["module_name"]] = module
        mspec.loader.exec_module(module)
        names = sorted(n for n in vars(module) if not n.startswith("__"))
        send({"id": 0, "ok": True, "value": {"names": names, "sandbox": layers}})
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included: all are the learner's
        send({"id": 0, "ok": False, "error": _error(exc, roots), "phase": "import"})
        module = None

    probed: dict[Any, str | None] = {}  # the device probe's answers in this worker (see _probe)
    while True:
        try:
            req = protocol.load_request(chan.recv())
        except (EOFError, protocol.ProtocolError):
            os._exit(0)
        rid = req.get("id")
        if module is None:
            send({"id": rid, "ok": False, "error": {"type": "ImportFailed", "message": "", "where": []}})
            continue
        cpu = time.process_time()
        try:
            value = _dispatch(module, req, roots, probed)
            reply = {"id": rid, "ok": True, "value": value}
        except BaseException as exc:
            reply = {"id": rid, "ok": False, "error": _error(exc, roots)}
        # CPU seconds, not wall time: on a busy machine the wall clock says more about the neighbours than the code.
        reply["cpu_s"] = time.process_time() - cpu
        send(reply)


def _probe(
    probed: dict[Any, str | None], what: str, fn: Any, args: Any, kwargs: dict, roots: tuple[str, ...]
) -> str | None:
    """The device probe of one call, once per callee and input structure in this worker (its answer depends on
    nothing else: 'meta' tensors hold no values)."""
    key = probe_key(what, args, kwargs)
    if key is None:
        return meta_probe(fn, args, kwargs, roots)
    if key not in probed:
        probed[key] = meta_probe(fn, args, kwargs, roots)
    return probed[key]


def _dispatch(module: types.ModuleType, req: dict, roots: tuple[str, ...], probed: dict[Any, str | None]) -> Any:
    op = req["op"]
    if op == "call":
        fn = getattr(module, req["name"])
        args, kwargs = req.get("args", ()), req.get("kwargs", {})
        if not req.get("check_inputs"):
            return fn(*args, **kwargs)
        import torch

        # Snapshot tensor arguments (nested in lists, tuples and dicts too) so an in-place
        # change to an input is reported.
        labelled = tensors([(str(i), a) for i, a in enumerate(args)] + list(kwargs.items()))
        before = {k: a.detach().clone() for k, a in labelled}
        out = fn(*args, **kwargs)
        changed = [k for k, a in labelled if not same(before[k], a)]
        reply = {"$call": out, "modified": changed}
        if req.get("meta_probe"):
            problem = _probe(probed, "call:" + req["name"], fn, args, kwargs, roots)
            if problem:
                reply["device_problem"] = problem
        return reply
    if op == "backward":
        import torch

        args = list(req.get("args", ()))
        for i in req["wrt"]:
            args[i] = args[i].detach().clone().requires_grad_(True)
        fn = getattr(module, req["name"])
        out = fn(*args, **req.get("kwargs", {}))
        if not isinstance(out, torch.Tensor):
            return {"out": out, "grads": None}
        if not out.requires_grad:
            return {"out": out, "grads": [None for _ in req["wrt"]]}
        upstream = req.get("upstream")
        if upstream is None:
            upstream = torch.ones_like(out)
        try:
            out.backward(upstream)
        except Exception as exc:  # the forward call worked: say the backward pass is what failed
            raise BackwardFailed(f"{type(exc).__name__}: {exc}") from exc
        return {"out": out, "grads": [args[i].grad for i in req["wrt"]]}
    if op == "scenario":
        namespace: dict[str, Any] = {"__name__": "scenario"}
        exec(compile(req["source"], "<scenario>", "exec"), namespace)
        scenario = namespace[req["function"]]
        args, kwargs = req.get("args", ()), req.get("kwargs", {})
        value = scenario(module, *args, **kwargs)
        if not req.get("meta_probe"):
            return value
        # The learner's classes and methods, as the scenario drives them, on 'meta' inputs (see meta_probe).
        run = lambda *a, **k: scenario(module, *a, **k)  # noqa: E731
        problem = _probe(probed, "scenario:" + req["function"] + ":" + req["source"], run, args, kwargs, roots)
        return {"$scenario": value, "device_problem": problem}
    if op == "has":
        return {n: hasattr(module, n) for n in req["names"]}
    raise ValueError(f"unknown op {op!r}")
