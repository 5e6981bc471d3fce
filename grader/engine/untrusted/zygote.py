"""``python -m grader.engine.untrusted.zygote CTRL_FD``: the process that forks learner workers.

It imports torch once, runs nothing, and forks one worker per request from the trusted side. Forking from a process
that has imported torch but run no operator costs milliseconds and is free of OpenMP deadlocks. The zygote never
runs learner code, so each fork starts clean. Requests and replies are JSON frames (``grader.engine.protocol``); a
spawn request carries the worker's channel and output pipe as passed file descriptors. The zygote is a child
subreaper: whatever a worker started is killed when the worker ends (``grader.engine.untrusted.reaper``).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import traceback
from typing import Any

from grader.engine import protocol
from grader.engine.untrusted import reaper, sandbox
from grader.engine.untrusted.worker import child_main, die_with_parent


def zygote(ctrl_fd: int) -> None:
    die_with_parent()
    reaper.become_subreaper()
    sandbox.libc()  # found once here (ctypes runs `ldconfig -p` to find it), not in every forked worker
    import torch  # the point of the zygote: pay this once

    if os.environ.get("DLGRADE_WARM_META") == "1":
        # The first operation on a 'meta' tensor (the device probe) imports sympy: pay that here,
        # once, not in every forked worker. Meta operations compute nothing, so no thread pool
        # starts and forking stays safe.
        _dynamo_only_when_compiling(torch)
        torch.ones(1, device="meta") + 1
    # Everything imported so far lives as long as the zygote: set it aside from the garbage collector, so a
    # worker's collections neither walk torch's objects nor write to their pages (each write copies a page).
    import gc

    gc.collect()
    gc.freeze()

    ctrl = protocol.Channel(socket.socket(fileno=ctrl_fd))
    children: set[int] = set()
    while True:
        try:
            msg, fds = protocol.recv_json(ctrl, maxfds=4)
        except (EOFError, OSError, protocol.ProtocolError):
            break
        reply = _handle(msg, fds, ctrl, children)
        try:
            protocol.send_json(ctrl, reply)
        except OSError:
            break
        _reap_finished(children)
        reaper.reap(children)
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    reaper.kill_strays(keep=set())


def _dynamo_only_when_compiling(torch: Any) -> None:
    """Keep torch's Python decompositions from importing torch._dynamo on their first call.

    They are wrapped (``torch._disable_dynamo``) so that a compiler does not trace into them, and
    the wrapper imports torch._dynamo to say so (about as long as importing torch itself) even
    when nothing will ever be compiled. Each wrapped function, those wrapped already and those
    wrapped later (many are made on first use), gets a stand-in that calls it directly while
    torch._dynamo is not loaded and defers to the real wrapper once it is (torch.compile loads
    it before it traces anything), so compiled code behaves as before.
    """
    import functools
    import gc
    import types

    from torch import _compile

    def stand_in(fn: Any, recursive: bool) -> None:
        real: list[Any] = []

        def call(*args: Any, **kwargs: Any) -> Any:
            dynamo = sys.modules.get("torch._dynamo")
            if dynamo is None:
                return fn(*args, **kwargs)
            if not real:
                real.append(dynamo.disable(fn, recursive, wrapping=False))
            return real[0](*args, **kwargs)

        if getattr(fn, "__dynamo_disable", None) is None:
            try:
                fn.__dynamo_disable = call
            except (AttributeError, TypeError):
                pass  # not a plain function: it keeps torch's own path

    original = _compile._disable_dynamo

    def disable_dynamo(fn: Any = None, recursive: bool = True) -> Any:
        if fn is None:
            return functools.partial(disable_dynamo, recursive=recursive)
        wrapped = original(fn, recursive)
        stand_in(fn, recursive)
        return wrapped

    torch._disable_dynamo = disable_dynamo
    _compile._disable_dynamo = disable_dynamo
    for obj in gc.get_objects():
        if type(obj) is not types.FunctionType:
            continue  # asking other objects for attributes may run their code
        code = obj.__code__
        if code.co_name != "inner" or code.co_filename != _compile.__file__:
            continue
        cells = dict(zip(code.co_freevars, obj.__closure__ or ()))
        if "fn" in cells and "recursive" in cells:
            stand_in(cells["fn"].cell_contents, bool(cells["recursive"].cell_contents))


def _handle(msg: Any, fds: list[int], ctrl: protocol.Channel, children: set[int]) -> dict[str, Any]:
    op = msg.get("op") if isinstance(msg, dict) else None
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
        return {"pid": pid}
    for fd in fds:
        os.close(fd)
    if op == "reap":
        sandbox.reap_uid(int(msg["uid"]))
        return {"ok": True}
    if op == "wait":
        pid = int(msg["pid"])
        reply: dict[str, Any] = {"pid": pid, "status": None}
        if pid in children:
            try:
                _, status = os.waitpid(pid, 0)
                reply["status"] = status
            except ChildProcessError:
                pass
            children.discard(pid)
        # The worker is gone: anything it started (a new session, a double fork, signals ignored) is ours now.
        reaper.kill_strays(keep=children)
        return reply
    return {"error": f"unknown op {op!r}"}


def _reap_finished(children: set[int]) -> None:
    """Collect workers that ended by themselves, so no zombies pile up."""
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


if __name__ == "__main__":
    zygote(int(sys.argv[1]))
    os._exit(0)  # every child is gone: skip tearing down torch
