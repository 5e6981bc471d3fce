"""Nothing a worker starts outlives it: the process that forks workers is a child subreaper, and kills strays.

With ``PR_SET_CHILD_SUBREAPER`` (Linux), a process a worker started becomes a child of the zygote when its own
parent is gone, also when it called ``setsid`` or double-forked to escape: it cannot leave the tree. Every child of
the zygote that is not a live worker is such a stray; :func:`kill_strays` kills them (SIGKILL cannot be ignored) and
keeps going while their own children land on the zygote in turn. No root needed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Adopt the orphans of our descendants (Linux 3.4+). False where the kernel does not offer it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except OSError:
        return False


def children(pid: int | None = None) -> set[int]:
    """The live children of ``pid`` (default: this process), from /proc."""
    pid = os.getpid() if pid is None else pid
    out: set[int] = set()
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            out = {int(x) for x in fh.read().split()}
    except OSError:  # kernels without the children file: scan /proc
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == pid:
                        out.add(int(entry))
                except (OSError, IndexError, ValueError):
                    continue
    return out


def kill_strays(keep: set[int], rounds: int = 200) -> int:
    """Kill every child of this process not in ``keep``, until none is left; reap them. Returns how many died."""
    killed = 0
    for _ in range(rounds):
        strays = children() - keep
        if not strays:
            break
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        reap(keep)
        time.sleep(0.002)  # let the dying hand their own children to us
    reap(keep)
    return killed


def reap(keep: set[int]) -> None:
    """Collect every finished child that is not in ``keep`` (no zombies pile up)."""
    for pid in children() - keep:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
