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
    import torch  # the point of the zygote: pay this once

    if os.environ.get("DLGRADE_WARM_META") == "1":
        # The first operation on a 'meta' tensor (the device probe) imports sympy and torch's
        # symbolic-shape machinery: pay that here, once, not in every forked worker. Meta
        # operations compute nothing, so no thread pool starts and forking stays safe.
        torch.ones(1, device="meta") + 1

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
