"""``python -m grader.engine.trusted.main CONTROL_FD WORKER_ENV``: the trusted grading process, serving jobs.

It starts the worker zygote first, so the zygote's ``import torch`` overlaps with this process importing pytest and
torch. Then it waits for jobs on CONTROL_FD (a socket only the engine's owner holds): for each job it runs pytest on
the job's hidden suites with the dlgrade plugin only, streams one record per check back on the same socket, and says
``done``. Suites are imported afresh for every job, so an edited suite counts at once; the zygote stays warm.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

PYTEST_ARGS = [
    "--noconftest",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:stepwise",
    "-p",
    "no:pastebin",
    "-p",
    "no:nose",
    "-p",
    "no:legacypath",
    "-p",
    "no:warnings",
    "-p",
    "no:junitxml",
    "-p",
    "no:doctest",
    "-p",
    "no:debugging",
    "-p",
    "no:faulthandler",
    # Captures log records around every phase of every check; nothing here reads them.
    "-p",
    "no:logging",
    # These two run gc.collect() twice per session: with torch loaded that is a fifth of a second per job.
    "-p",
    "no:unraisableexception",
    "-p",
    "no:threadexception",
    "--import-mode=importlib",
    "--assert=plain",
    "--capture=no",
    "-o",
    "python_files=test_*.py",
    "-o",
    "console_output_style=classic",
    "-q",
    "-rN",
    "--tb=no",
    "--no-header",
]


def _watch_parent() -> None:
    """Exit as soon as the engine's owner is gone (reparented), whatever thread started this process."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.2)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="dlgrade-parent-watch", daemon=True).start()


def _forget_suites(roots: list[str]) -> None:
    """Drop imported suite modules (and their helpers) so the next job imports them as they are now on disk."""
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None) or ""
        if name.startswith("dlgrade_suite_support.") or any(path.startswith(r) for r in roots):
            del sys.modules[name]


def run_job(job: dict[str, Any], zygote: Any, emit: Any, trusted_dir: str) -> int:
    import pytest

    from grader.engine.trusted import plugin as fixtures
    from grader.engine.trusted.plugin import TrustedPlugin

    suites = list(job["suite_files"])
    _forget_suites([os.path.dirname(s) + os.sep for s in suites])
    ini = os.path.join(trusted_dir, "pytest.ini")
    if not os.path.isfile(ini):
        Path(ini).write_text("[pytest]\n", encoding="utf-8")
    plugin = TrustedPlugin(job, zygote, emit)
    args = [*suites, "-c", ini, "--rootdir", trusted_dir, *PYTEST_ARGS]
    try:
        devnull = open(os.devnull, "w")  # noqa: SIM115  (pytest's own terminal output is not ours to show)
        saved = sys.stdout
        sys.stdout = devnull
        try:
            return int(pytest.main(args, plugins=[plugin, fixtures]))
        finally:
            sys.stdout = saved
            devnull.close()
    finally:
        plugin.close()


def main(argv: list[str]) -> int:
    control_fd, worker_env = int(argv[0]), json.loads(argv[1])
    _watch_parent()
    from grader.engine.untrusted import reaper

    reaper.become_subreaper()  # a zygote that dies leaves its strays to us
    from grader.engine.trusted.client import Zygote

    zygote = Zygote(worker_env)  # its torch import overlaps ours
    import gc
    import socket

    import pytest  # noqa: F401  (paid now, while the first job is being prepared)

    from grader.engine import protocol
    from grader.engine.trusted import plugin  # noqa: F401  (and torch with it)

    # What is imported now stays for the process's life: keep the garbage collector from walking it in every job.
    gc.collect()
    gc.freeze()

    chan = protocol.Channel(socket.socket(fileno=control_fd))
    trusted_dir = os.getcwd()

    def emit(rec: dict[str, Any]) -> None:
        protocol.send_json(chan, {"record": rec})

    try:
        while True:
            try:
                msg, _ = protocol.recv_json(chan)
            except (EOFError, OSError, protocol.ProtocolError):
                return 0
            if not isinstance(msg, dict) or msg.get("op") != "job":
                return 2
            code = run_job(msg["job"], zygote, emit, trusted_dir)
            reaper.kill_strays(keep={zygote.proc.pid})
            protocol.send_json(chan, {"done": code})
    finally:
        zygote.close()
        reaper.kill_strays(keep=set())


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # nothing left to save: skip tearing down torch and pytest, which takes seconds
