"""The trusted side of the worker: start, call, time out, kill, restart.

Runs inside the trusted pytest process. Learner code never runs here; what comes back is
decoded by ``grader.engine.protocol.decode_reply`` (plain data and tensors, never a pickle).
Both channels (to the zygote, to each worker) speak ``grader.engine.protocol.Channel`` frames.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from grader.engine import protocol
from grader.engine.problems import LearnerProblem

OUTPUT_KEEP = 4096  # bytes of learner output kept per call for feedback
OUTPUT_FLOOD = 8 * 1024 * 1024  # more than this in one worker's life is a flood


class Zygote:
    """``python -m grader.engine.untrusted.zygote``: imports torch once and forks one worker per request.

    A zygote that died (a worker may kill its parent) is started again for the next spawn.
    """

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        parent, child = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.engine.untrusted.zygote", str(child.fileno())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
            close_fds=True,
        )
        child.close()
        self.chan = protocol.Channel(parent)

    def _request(self, msg: dict, fds: list[int] | None = None) -> dict:
        with self.lock:
            try:
                protocol.send_json(self.chan, msg, fds)
                reply, _ = protocol.recv_json(self.chan)
            except (EOFError, protocol.ProtocolError):
                raise LearnerProblem("crash", "the worker pool stopped (a worker killed its parent?)") from None
            return reply if isinstance(reply, dict) else {}

    def spawn(self, spec: dict, chan_fd: int, out_fd: int) -> int:
        if self.proc.poll() is not None:
            self.close()
            self._start()
        reply = self._request({"op": "spawn", "spec": spec}, [chan_fd, out_fd])
        return int(reply["pid"])

    def reap(self, uid: int) -> None:
        try:
            self._request({"op": "reap", "uid": uid})
        except (OSError, LearnerProblem):
            pass

    def wait(self, pid: int) -> int | None:
        try:
            reply = self._request({"op": "wait", "pid": pid})
        except (OSError, LearnerProblem):
            return None
        status = reply.get("status")
        return int(status) if status is not None else None

    def close(self) -> None:
        try:
            self.chan.close()
        finally:
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def describe_status(status: int | None) -> tuple[str, str]:
    """Turn a wait status into (kind, words)."""
    if status is None:
        return "crash", "the worker process ended"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGSEGV:
            return "crash", "the worker crashed with a segmentation fault (SIGSEGV)"
        if sig == signal.SIGXCPU:
            return "timeout", "the worker used up its CPU time limit (SIGXCPU)"
        if sig == signal.SIGXFSZ:
            return "resource", "the worker wrote a file larger than the file size limit (SIGXFSZ)"
        if sig == signal.SIGKILL:
            return "crash", "the worker was killed (SIGKILL), often by running out of memory"
        return "crash", f"the worker was killed by signal {name}"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 71:
        return "crash", (
            "the worker broke after running the learner's code (was something in builtins or torch replaced?)"
        )
    if os.WIFEXITED(status):
        return "exit", f"the worker exited with code {os.WEXITSTATUS(status)} (learner code called exit)"
    return "crash", "the worker ended"


class Clock:
    """The time a lesson's checks of one run have spent waiting for learner code, against the lesson's budget."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.used_s = 0.0
        self.cpu_s = 0.0  # CPU seconds the worker reports for its requests (for speed advice)

    @property
    def left_s(self) -> float:
        return self.budget_s - self.used_s


class Worker:
    """One learner module in one forked, limited process."""

    def __init__(
        self, zygote: Zygote, spec: dict, timeout_s: float, budget_s: float, clock: Clock | None = None
    ) -> None:
        self.zygote = zygote
        self.spec = spec
        self.timeout_s = timeout_s
        self.budget_s = budget_s  # wall time for all calls to this exercise
        self.clock = clock or Clock(budget_s)
        self.used_s = 0.0
        self.cpu_s = 0.0  # CPU seconds the worker reports for its requests (for speed advice)
        # Functions that did not return: every later call to them fails at once instead of waiting again.
        self.hung: set[str] = set()
        self.pid: int | None = None
        self.chan: protocol.Channel | None = None
        self.next_id = 1
        self.import_reply: dict | None = None
        self.output = bytearray()  # kept output of the current call
        self.call_total = 0  # bytes printed during the current call
        self.life_total = 0  # bytes printed by this worker process
        self.flooded = False
        self._reader: threading.Thread | None = None
        # A module whose import hangs or kills the worker fails every later call at once,
        # instead of paying the import timeout again for each check.
        self.import_failure: LearnerProblem | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> dict:
        parent, child = socket.socketpair()
        out_r, out_w = os.pipe()
        try:
            self.pid = self.zygote.spawn(self.spec, child.fileno(), out_w)
        finally:
            child.close()
            os.close(out_w)
        self.chan = protocol.Channel(parent)
        self.output = bytearray()
        self.call_total = 0
        self.life_total = 0
        self.flooded = False
        self._reader = threading.Thread(target=self._read_output, args=(out_r,), daemon=True)
        self._reader.start()
        try:
            limit = max(min(self.timeout_s + 5, self.clock.left_s), 0.1)
            self.import_reply = self._receive(0, limit, "importing the module")
        except LearnerProblem as exc:
            self.import_failure = exc
            raise
        return self.import_reply

    def _read_output(self, fd: int) -> None:
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.call_total += len(chunk)
                self.life_total += len(chunk)
                room = OUTPUT_KEEP - len(self.output)
                if room > 0:
                    self.output += chunk[:room]
                if self.life_total > OUTPUT_FLOOD and not self.flooded:
                    self.flooded = True
                    self.kill()
        finally:
            os.close(fd)

    def kill(self) -> None:
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.spec.get("sandbox") == "strict" and os.geteuid() == 0:
                # Anything the worker started in a session of its own runs under its uid: end it too.
                from grader.engine.untrusted.sandbox import worker_uid

                self.zygote.reap(worker_uid(self.pid))

    def stop(self) -> None:
        if self.chan is not None:
            self.chan.close()
            self.chan = None
        self.kill()
        if self.pid is not None:
            self.zygote.wait(self.pid)
            self.pid = None
        if self._reader is not None:
            self._reader.join(timeout=1)

    def take_output(self) -> tuple[str, int]:
        """The output kept since the last call, and how many bytes were printed in all."""
        text = bytes(self.output).decode("utf-8", "replace")
        total = self.call_total
        self.output = bytearray()
        self.call_total = 0
        return text, total

    # ------------------------------------------------------------------ calls

    def _died(self, what: str) -> LearnerProblem:
        pid = self.pid
        self.chan = None
        status = self.zygote.wait(pid) if pid is not None else None
        self.pid = None
        if self.flooded:
            return LearnerProblem(
                "output_flood",
                f"the worker printed more than {OUTPUT_FLOOD // (1024 * 1024)} MiB while {what} and was stopped",
            )
        kind, words = describe_status(status)
        if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 70:
            if self._reader is not None:
                self._reader.join(timeout=1)
            text = bytes(self.output).decode("utf-8", "replace").strip().splitlines()
            return LearnerProblem("internal", f"the worker could not start while {what}: {text[-1] if text else '?'}")
        return LearnerProblem(kind, f"{words} while {what}")

    def _receive(self, rid: int, timeout: float, what: str) -> dict:
        assert self.chan is not None
        start = time.monotonic()
        try:
            payload = self.chan.recv(deadline=start + timeout)
        except TimeoutError:
            self.kill()
            self._died(what)
            raise LearnerProblem(
                "timeout", f"no answer within {timeout:g} s while {what}; the worker was stopped"
            ) from None
        except EOFError:
            raise self._died(what) from None
        except protocol.ProtocolError as exc:
            self.kill()
            self._died(what)
            raise LearnerProblem("protocol", f"the worker sent an invalid reply while {what} ({exc})") from None
        finally:
            spent = time.monotonic() - start
            self.used_s += spent
            self.clock.used_s += spent
        try:
            reply = protocol.decode_reply(payload, self.spec.get("device"))
        except (protocol.ProtocolError, ValueError, RuntimeError, TypeError) as exc:
            self.kill()
            self._died(what)
            raise LearnerProblem("protocol", f"the worker sent an invalid reply while {what} ({exc})") from None
        if not isinstance(reply, dict) or reply.get("id") != rid:
            self.kill()
            self._died(what)
            raise LearnerProblem("protocol", f"the worker answered out of turn while {what}")
        cpu = reply.get("cpu_s")
        if type(cpu) is float and 0.0 <= cpu < 1e6:  # the worker's word: it feeds advice, never a score
            self.cpu_s += cpu
        return reply

    def request(self, op: dict, what: str) -> dict:
        """Send one request; return the decoded reply envelope (``ok``, ``value``/``error``)."""
        target = str(op.get("name") or op.get("function") or "")
        if target in self.hung:
            raise LearnerProblem("timeout", f"skipped: {target} did not return on an earlier call")
        if self.clock.left_s <= 0:
            raise LearnerProblem(
                "timeout", f"the lesson used up its {self.clock.budget_s:g} s time budget; {what} was not run"
            )
        if self.used_s >= self.budget_s:
            raise LearnerProblem(
                "timeout", f"this exercise used up its {self.budget_s:g} s time budget; {what} was not run"
            )
        if self.import_failure is not None:
            raise LearnerProblem(self.import_failure.kind, self.import_failure.message)
        if self.chan is None:
            self.start()
        assert self.import_reply is not None
        if not self.import_reply.get("ok"):
            return self.import_reply
        rid = self.next_id
        self.next_id += 1
        msg = dict(op, id=rid)
        payload = protocol.dump_request(msg)
        assert self.chan is not None
        try:
            self.chan.send(payload, timeout=self.timeout_s)
        except TimeoutError:
            self.kill()
            self._died(what)
            raise LearnerProblem("timeout", f"the worker stopped reading requests while {what}") from None
        except OSError:
            raise self._died(what) from None
        timeout = min(self.timeout_s, max(min(self.budget_s - self.used_s, self.clock.left_s), 0.1))
        try:
            return self._receive(rid, timeout, what)
        except LearnerProblem as exc:
            if exc.kind == "timeout" and target:
                self.hung.add(target)
            raise
