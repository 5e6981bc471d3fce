"""The learner worker: the only place learner code runs.

``python -m grader.worker CTRL_FD`` starts a *zygote*: it imports torch, runs nothing, and
forks one child per exercise on request. A child drops into its own session, applies the
limits, imports ONE learner module from a temporary copy of the workspace and answers
requests until its channel closes. Forking from a process that has imported torch but run
no operator costs milliseconds and is free of OpenMP deadlocks.

Nothing in this file trusts the learner: the child only ever *sends* plain data (see
``grader.protocol``). The zygote never runs learner code, so each fork starts clean.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.util
import json
import os
import resource
import signal
import socket
import sys
import traceback
import types
from typing import Any

from grader import protocol, sandbox

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: the trusted side still kills process groups on exit
        pass


# ------------------------------------------------------------------------ zygote


def zygote(ctrl_fd: int) -> None:
    _die_with_parent()
    import torch  # the point of the zygote: pay this once

    if os.environ.get("DLGRADE_WARM_META") == "1":
        # The first operation on a 'meta' tensor (the device probe) imports sympy and torch's
        # symbolic-shape machinery: pay that here, once, not in every forked worker. Meta
        # operations compute nothing, so no thread pool starts and forking stays safe.
        torch.ones(1, device="meta") + 1

    ctrl = socket.socket(fileno=ctrl_fd)
    children: set[int] = set()
    buf = b""
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(ctrl, 1 << 16, 4)
        except OSError:
            break
        if not data:
            break
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = json.loads(line)
            op = msg.get("op")
            reply: dict[str, Any]
            if op == "spawn":
                pid = os.fork()
                if pid == 0:
                    ctrl.close()
                    try:
                        child_main(msg["spec"], fds[0], fds[1])
                    except BaseException:
                        traceback.print_exc()  # onto the captured output: the grader shows it
                    finally:
                        os._exit(70)
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                reply = {"pid": pid}
            elif op == "reap":
                sandbox.reap_uid(int(msg["uid"]))
                reply = {"ok": True}
            elif op == "wait":
                pid = int(msg["pid"])
                reply = {"pid": pid, "status": None}
                if pid in children:
                    try:
                        _, status = os.waitpid(pid, 0)
                        reply["status"] = status
                    except ChildProcessError:
                        pass
                    children.discard(pid)
            else:
                reply = {"error": f"unknown op {op!r}"}
            ctrl.sendall(json.dumps(reply).encode() + b"\n")
            # Reap anything else that ended, so no zombies pile up.
            for pid in list(children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    children.discard(pid)
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


# ------------------------------------------------------------------------ child


class _Blocker(importlib.abc.MetaPathFinder):
    """Refuses imports of the grader package and the course's reference folders."""

    def __init__(self, blocked: list[str]) -> None:
        self.blocked = blocked

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        top = fullname.split(".")[0]
        if top in self.blocked:
            raise ImportError(f"{top} cannot be imported from learner code")
        return None


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


def _error(exc: BaseException, roots: tuple[str, ...]) -> dict:
    try:
        message = str(exc)[:2000]
    except Exception:
        message = "<unprintable message>"
    err: dict[str, Any] = {
        "type": type(exc).__name__,
        "message": message,
        "where": _learner_frames(exc.__traceback__, roots),
    }
    if isinstance(exc, SyntaxError):
        err["line"] = exc.lineno
        err["offset"] = exc.offset
        err["text"] = (exc.text or "").rstrip()[:200]
        err["file"] = os.path.basename(exc.filename or "")
    return err


class _Tripwires:
    """Wraps forbidden built-ins so a call made from learner code is recorded."""

    def __init__(self, names: list[str], roots: tuple[str, ...]) -> None:
        self.calls: list[str] = []
        self.roots = roots
        for dotted in names:
            self._wrap(dotted)

    def _wrap(self, dotted: str) -> None:
        parts = dotted.split(".")
        owner: Any = None
        # The longest importable module prefix (torch.nn.utils.prune is a module that
        # torch.nn.utils does not import by itself), then attributes for the rest.
        for i in range(len(parts) - 1, 0, -1):
            try:
                owner = importlib.import_module(".".join(parts[:i]))
                break
            except ImportError:
                continue
        if owner is None:
            return
        try:
            for p in parts[i:-1]:
                owner = getattr(owner, p)
            original = getattr(owner, parts[-1])
        except AttributeError:
            return
        calls, roots = self.calls, self.roots

        def note(depth: int) -> None:
            f = sys._getframe(depth)
            while f is not None:
                if f.f_code.co_filename.startswith(roots):
                    if dotted not in calls:
                        calls.append(dotted)
                    break
                f = f.f_back  # type: ignore[assignment]

        if isinstance(original, type):
            # A class stays a class (isinstance and subclassing keep working); building one is noted.
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                note(2)
                original.__init__(self, *args, **kwargs)  # type: ignore[misc]

            try:
                tripped = type(
                    original.__name__,
                    (original,),
                    {"__init__": __init__, "__module__": original.__module__, "__qualname__": original.__qualname__},
                )
                setattr(owner, parts[-1], tripped)
            except (TypeError, AttributeError):
                pass
            return

        def tripwire(*args: Any, **kwargs: Any) -> Any:
            note(2)
            return original(*args, **kwargs)

        tripwire.__name__ = getattr(original, "__name__", parts[-1])
        tripwire.__doc__ = getattr(original, "__doc__", None)
        try:
            setattr(owner, parts[-1], tripwire)
        except (AttributeError, TypeError):
            pass

    def take(self) -> list[str]:
        out = list(self.calls)
        self.calls.clear()
        return out


def child_main(spec: dict, chan_fd: int, out_fd: int) -> None:
    """Run in the forked child: isolate, import the learner module, serve requests."""
    os.setsid()
    _die_with_parent()
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
    layers: dict[str, str] = {}
    if spec.get("sandbox") == "strict":
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
    sys.meta_path.insert(0, _Blocker(["grader", "solutions", "mutants", "dlgrade"]))
    _set_limits(dict(spec, own_uid=str(layers.get("user", "")).startswith("active")))
    tripwires = _Tripwires(spec.get("forbid", []), roots)

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
        protocol.write_frame(chan_fd, payload)

    # Import the learner module. From here on learner code has run in this process: if the
    # worker's own machinery breaks (patched builtins, a closed channel), exit with 71 so the
    # grader blames the submission, not itself.
    try:
        _serve(spec, chan_fd, send, roots, layers)
    except BaseException:
        os._exit(71)


def _serve(spec: dict, chan_fd: int, send: Any, roots: tuple[str, ...], layers: dict[str, str]) -> None:
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

    while True:
        try:
            req = protocol.load_request(protocol.read_frame(chan_fd))
        except EOFError:
            os._exit(0)
        rid = req.get("id")
        if module is None:
            send({"id": rid, "ok": False, "error": {"type": "ImportFailed", "message": "", "where": []}})
            continue
        try:
            value = _dispatch(module, req)
            send({"id": rid, "ok": True, "value": value})
        except BaseException as exc:
            send({"id": rid, "ok": False, "error": _error(exc, roots)})


def _tensors(items: list[tuple[str, Any]], depth: int = 0) -> list[tuple[str, Any]]:
    """(label, tensor) for every tensor in the arguments: ``0``, ``1[2]``, ``state['h']``."""
    import torch

    out: list[tuple[str, Any]] = []
    for label, a in items:
        if isinstance(a, torch.Tensor):
            out.append((label, a))
        elif depth < 3 and isinstance(a, (list, tuple)):
            out += _tensors([(f"{label}[{i}]", v) for i, v in enumerate(a)], depth + 1)
        elif depth < 3 and isinstance(a, dict):
            out += _tensors([(f"{label}[{k!r}]", v) for k, v in a.items()], depth + 1)
    return out


def _same(a: Any, b: Any) -> bool:
    import torch

    b = b.detach()
    return bool(
        a.shape == b.shape
        and a.dtype == b.dtype
        and torch.equal(a, b)
        or (a.is_floating_point() and torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(), b.nan_to_num()))
    )


DEVICE_WORDS = ("same device", "expected device", "is on device", "on the expected device", "device type")


def _meta_probe(fn: Any, args: Any, kwargs: dict) -> str | None:
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


def _dispatch(module: types.ModuleType, req: dict) -> Any:
    op = req["op"]
    if op == "call":
        fn = getattr(module, req["name"])
        args, kwargs = req.get("args", ()), req.get("kwargs", {})
        if not req.get("check_inputs"):
            return fn(*args, **kwargs)
        import torch

        # Snapshot tensor arguments (nested in lists, tuples and dicts too) so an in-place
        # change to an input is reported.
        labelled = _tensors([(str(i), a) for i, a in enumerate(args)] + list(kwargs.items()))
        before = {k: a.detach().clone() for k, a in labelled}
        out = fn(*args, **kwargs)
        changed = [k for k, a in labelled if not _same(before[k], a)]
        reply = {"$call": out, "modified": changed}
        if req.get("meta_probe"):
            problem = _meta_probe(fn, args, kwargs)
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
        out.backward(upstream)
        return {"out": out, "grads": [args[i].grad for i in req["wrt"]]}
    if op == "scenario":
        namespace: dict[str, Any] = {"__name__": "scenario"}
        exec(compile(req["source"], "<scenario>", "exec"), namespace)
        return namespace[req["function"]](module, *req.get("args", ()), **req.get("kwargs", {}))
    if op == "has":
        return {n: hasattr(module, n) for n in req["names"]}
    raise ValueError(f"unknown op {op!r}")


if __name__ == "__main__":
    zygote(int(sys.argv[1]))
