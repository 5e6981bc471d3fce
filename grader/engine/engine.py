"""The warm engine: a trusted process (with its zygote) that stays up and grades job after job.

One :class:`Engine` is one trusted pytest process serving jobs over a socket (``grader.engine.protocol`` frames):
the CLI side sends a job (suites, exercises, runs), the trusted side streams back one record per check and a final
``done``. The trusted process owns the zygote that forks one fresh worker per (run, exercise), so nothing of one
run's learner code survives into the next. ``check`` starts an engine, grades once and closes it; ``watch`` keeps one
between saves; ``dev check`` and ``grade`` feed a few of them many jobs; cluster workers each hold one.

A part that dies (the trusted process, or the zygote a learner killed) is replaced before the next job; a job that
does not finish in its time is stopped and the engine restarted. Every part dies with its owner: the trusted process
and the zygote ask the kernel for a parent-death signal, and ``close`` (also on Ctrl-C) kills the process group.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.engine import protocol


def base_env() -> dict[str, str]:
    """The minimal environment every grading process starts from (nothing else of the user's leaks in)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if os.environ.get("CUDA_VISIBLE_DEVICES") is not None:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    return env


def package_parent() -> str:
    import grader

    return str(Path(grader.__file__).resolve().parent.parent)


class EngineError(Exception):
    """The engine could not run a job (its process died or hung); the job's checks have no record."""


class Engine:
    """A trusted grading process kept warm. Thread-safe: one job at a time."""

    def __init__(self, *, device: str = "cpu") -> None:
        self.device = device
        self.proc: subprocess.Popen[bytes] | None = None
        self.chan: protocol.Channel | None = None
        self.root: Path | None = None  # owner-only temporary folder: the trusted process's home, the jobs' copies
        self.log: Path | None = None
        self.lock = threading.RLock()
        self.started = 0  # how many times a trusted process was started (1 for a healthy engine)

    # ------------------------------------------------------------------ lifecycle

    @property
    def trusted_dir(self) -> Path:
        assert self.root is not None
        return self.root / "trusted"

    def start(self) -> Engine:
        """Start the trusted process (and through it the zygote) if it is not running; returns at once."""
        with self.lock:
            if self.alive():
                return self
            self._stop_process()
            if self.root is None:
                self.root = Path(tempfile.mkdtemp(prefix="dlgrade-engine-"))
                os.chmod(self.root, 0o700)
                self.trusted_dir.mkdir(mode=0o700)
            parent, child = socket.socketpair()
            pkg = package_parent()
            env = dict(base_env(), HOME=str(self.trusted_dir), PYTHONPATH=pkg, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
            worker_env = dict(
                base_env(), PYTHONPATH=pkg, HOME=str(self.root), DLGRADE_WARM_META="1" if self.device == "cpu" else "0"
            )
            self.log = self.trusted_dir / "trusted.log"
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "grader.engine.trusted.main", str(child.fileno()), json.dumps(worker_env)],
                    pass_fds=(child.fileno(),),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.trusted_dir,
                    env=env,
                    start_new_session=True,  # its own process group: killed as one, untouched by the terminal's ^C
                )
            child.close()
            self.chan = protocol.Channel(parent)
            self.started += 1
            return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.chan is not None

    def close(self) -> None:
        """Stop the trusted process, its zygote and every worker, and remove the engine's files."""
        with self.lock:
            self._stop_process()
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

    def _stop_process(self) -> None:
        if self.chan is not None:
            try:
                self.chan.close()  # the trusted process sees the end of its jobs and exits by itself
            except OSError:
                pass
            self.chan = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=1)  # it kills its zygote's strays and leaves at once (no interpreter teardown)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            self.proc = None

    def kill(self) -> None:
        """Stop the engine's processes at once, from any thread, even while a job runs (that job then ends)."""
        proc = self.proc
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ jobs

    def run(
        self, job: dict[str, Any], limit: float, on_record: Callable[[dict[str, Any]], None] | None = None
    ) -> list[dict[str, Any]]:
        """Run one job and return its records; a job that does not finish within ``limit`` seconds is stopped.

        A record is a check (``run``, ``exercise``, ``name``, ``status`` ...), a ``collect_error`` or a ``fatal``
        (the engine failed: no check of the job has a record, and the engine restarts for the next job).
        """
        with self.lock:
            self.start()
            assert self.chan is not None
            records: list[dict[str, Any]] = []
            deadline = time.monotonic() + limit
            try:
                protocol.send_json(self.chan, {"op": "job", "job": job})
                while True:
                    payload = self.chan.recv(deadline)
                    msg = json.loads(payload)
                    if "done" in msg:
                        return records
                    records.append(msg["record"])
                    if on_record is not None:
                        on_record(msg["record"])
            except TimeoutError:
                self._stop_process()
                records.append({"fatal": f"the grader stopped after {limit:g} s"})
            except (EOFError, OSError, ValueError, KeyError, protocol.ProtocolError):
                code = self.proc.poll() if self.proc is not None else None
                tail = self._log_tail()
                self._stop_process()
                records.append({"fatal": f"the grading process ended with code {code}", "log": tail})
            return records

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-3000:] if self.log else ""
        except OSError:
            return ""
