"""Strict isolation for a forked learner worker, applied from inside the fork (no exec needed).

Layers, each detected at run time and reported, so a machine without one still grades:
- ``user``: when running as root, the worker switches to a fresh unprivileged uid of its own, so files
  with owner-only permissions (and other workers, and the grader's /proc entries) are out of reach;
  every process of that uid is killed when the worker is stopped.
- ``network``: a new network namespace with no interface up: no connection leaves, not even to 127.0.0.1.
- ``filesystem``: a new mount namespace with the system read-only, an empty private /tmp and home, the
  course's solutions, suites and mutants and the grader's own folders hidden, and only the workspace copy
  (writable) and the Python installation (read-only) bound back in.
- ``ipc``/``uts``: private System V IPC and hostname.

This is what bubblewrap does, done with the same kernel calls inside the already-warm fork, because a
bubblewrap launch would cost a fresh interpreter and a torch import per worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import sys
import tempfile
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_NO_NEW_PRIVS = 38
UID_BASE = 200000

_libc: Any = None


def libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        libc().mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def worker_uid(pid: int) -> int:
    return UID_BASE + pid % 100000


def apply(spec: dict) -> dict[str, str]:
    """Enter every layer possible. Returns {layer: "active" | reason it is not}. Runs in the forked child."""
    status: dict[str, str] = {}
    if not sys.platform.startswith("linux"):
        return {k: f"not available on {sys.platform}" for k in ("user", "network", "filesystem", "ipc")}
    workdir = os.path.realpath(spec["workdir"])
    uid = worker_uid(os.getpid()) if os.geteuid() == 0 else None
    if uid is not None:
        # The copy becomes the worker's own before privileges go.
        for dirpath, dirnames, filenames in os.walk(workdir):
            for name in [*dirnames, *filenames]:
                try:
                    os.lchown(os.path.join(dirpath, name), uid, uid)
                except OSError:
                    pass
        os.chown(workdir, uid, uid)
        parent = os.path.dirname(workdir)
        while parent and parent != "/":  # let the worker reach its copy through 0700 temp folders
            try:
                st = os.stat(parent)
                if not st.st_mode & 0o001:
                    os.chmod(parent, st.st_mode | 0o001)
            except OSError:
                break
            parent = os.path.dirname(parent)
    # What must stay visible: the workspace copy and the Python installation.
    keep = {workdir}
    for p in [sys.prefix, sys.base_prefix, *sys.path]:
        if p and os.path.isdir(p):
            keep.add(os.path.realpath(p))
    hidden = [os.path.realpath(p) for p in spec.get("hidden_trees", [])]
    keep = {k for k in keep if k == workdir or not any(k == h or k.startswith(h + os.sep) for h in hidden)}
    fds: dict[str, int] = {}
    try:
        _check(libc().unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        status["network"] = status["ipc"] = "active"
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        # Handles taken inside the new namespace (a bind across namespaces is refused), before hiding.
        for k in keep:
            try:
                fds[k] = os.open(k, os.O_PATH | os.O_DIRECTORY)
            except OSError:
                pass
        _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        covers = ["/tmp", "/var/tmp", "/root", "/home", "/dev/shm", *hidden]
        covered: list[str] = []
        for c in covers:
            if os.path.isdir(c) and not any(c == x or c.startswith(x + os.sep) for x in covered):
                try:
                    _mount("tmpfs", c, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
                    covered.append(c)
                except OSError:
                    pass
        for k, fd in sorted(fds.items(), key=lambda kv: len(kv[0])):
            if any(k == c or k.startswith(c + os.sep) for c in covered):
                os.makedirs(k, exist_ok=True)
                flags = MS_BIND | MS_REC
                _mount(f"/proc/self/fd/{fd}", k, None, flags)
                # The copy stays writable; the Python installation is read-only.
                _mount(None, k, None, MS_REMOUNT | MS_BIND | (0 if k == workdir else MS_RDONLY))
        status["filesystem"] = "active"
    except OSError as exc:
        status.setdefault("network", f"unavailable ({exc.strerror})")
        status.setdefault("ipc", status["network"])
        status["filesystem"] = f"unavailable ({exc.strerror})"
    finally:
        for fd in fds.values():
            os.close(fd)
    os.chdir(spec.get("cwd", workdir))
    if uid is not None:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            status["user"] = f"active (uid {uid})"
        except OSError as exc:
            status["user"] = f"unavailable ({exc.strerror})"
    else:
        status["user"] = "not running as root"
    libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return status


def reap_uid(uid: int) -> None:
    """Kill every process of ``uid`` (a stopped worker's escaped children). Runs in a throwaway fork."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for _ in range(3):
                try:
                    os.kill(-1, 9)
                except OSError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@functools.lru_cache(maxsize=1)
def probe() -> dict[str, str]:
    """Apply the strict layers in a throwaway fork and report what took effect."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return {k: f"not available on {sys.platform}" for k in ("user", "network", "filesystem", "ipc")}
    with tempfile.TemporaryDirectory(prefix="dlgrade-doctor-") as tmp:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                status = apply({"workdir": tmp, "hidden_trees": [], "cwd": tmp})
                # Prove the network layer: a connection to loopback must fail.
                import socket

                try:
                    socket.create_connection(("127.0.0.1", 9), timeout=0.5).close()
                    status["network"] = "NOT isolated: a loopback connection succeeded"
                except OSError:
                    pass
                os.write(w, json.dumps(status).encode())
            except BaseException as exc:  # report, never crash the doctor
                os.write(w, json.dumps({"error": str(exc)}).encode())
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
    try:
        result: dict[str, str] = json.loads(data or b"{}")
    except ValueError:
        result = {"error": "the probe returned nothing"}
    return result


def describe(mode: str) -> str:
    """One line on the isolation in force, said once per run (``mode``: portable or strict)."""
    if mode != "strict":
        return "portable (separate process, limits, plain-data replies; --sandbox strict adds more where possible)"
    layers = probe()
    active = [k for k, v in layers.items() if str(v).startswith("active")]
    missing = [f"{k}: {v}" for k, v in layers.items() if not str(v).startswith("active")]
    text = "strict (" + ", ".join(active) + ")" if active else "strict requested"
    if missing:
        text += "; not active here: " + "; ".join(missing) + " (portable protections still apply)"
    return text
