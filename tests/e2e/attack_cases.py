"""The attack corpus in tests/attacks/, as every attack test reads it: one exercise (lesson7.softmax_ce) each.

Each attack folder holds ``attack.yaml`` (its class, what it does, the failure kinds or error a run must report)
and the files it puts into a workspace (``{COURSE}`` and ``{PORT}`` in them are filled in); ``symlinks:`` names
links it makes. Attacks on a whole lesson (a ``target:`` in attack.yaml) are read by test_attacks_lesson.py.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.kinds import KINDS
from tests.conftest import REPO

ATTACKS = Path(__file__).parents[1] / "attacks"
EXERCISE = "lesson7.softmax_ce"
EXERCISE_FILE = "lesson7/softmax_ce.py"
SECRET = "s3cr3t-" + hashlib.sha256(os.urandom(8)).hexdigest()[:12]
# These defeat only the portable layer when user namespaces are missing; they need the strict sandbox there.
NEEDS_STRICT = {"reads_secrets", "prints_hidden_suite", "imports_solution_by_path", "network_connection"}


def _meta(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "attack.yaml").read_text())


NAMES = sorted(p.name for p in ATTACKS.iterdir() if (p / "attack.yaml").is_file() and not _meta(p).get("target"))


@dataclass(frozen=True)
class Attack:
    name: str
    meta: dict[str, Any]

    @property
    def folder(self) -> Path:
        return ATTACKS / self.name

    def files(self, subst: dict[str, str]) -> dict[str, str]:
        """Every file the attack writes, by its path in a workspace, with the placeholders filled in."""
        out = {}
        for src in sorted(self.folder.rglob("*")):
            rel = src.relative_to(self.folder)
            if src.is_dir() or rel.name == "attack.yaml" or ".dlgrade" in rel.parts:
                continue
            text = src.read_text()
            for k, v in subst.items():
                text = text.replace(k, v)
            out[rel.as_posix()] = text
        return out

    def symlinks(self, subst: dict[str, str]) -> dict[str, str]:
        out = {}
        for rel, target in (self.meta.get("symlinks") or {}).items():
            for k, v in subst.items():
                target = target.replace(k, v)
            out[rel] = target
        return out

    def materialize(self, ws: Path, subst: dict[str, str]) -> None:
        """Write the attack into ``ws``: its files, then its links."""
        for rel, text in self.files(subst).items():
            (ws / rel).parent.mkdir(parents=True, exist_ok=True)
            (ws / rel).write_text(text)
        for rel, target in self.symlinks(subst).items():
            (ws / rel).unlink(missing_ok=True)
            os.symlink(target, ws / rel)

    def words(self) -> list[str]:
        """What a text report must say for this attack: the error's words, or a label of an expected kind."""
        if self.meta.get("expect_error"):
            return [self.meta["expect_error"]]
        words = [KINDS[k] for k in self.meta["expect_kinds"]]
        if "not_implemented" in self.meta["expect_kinds"]:
            words.append("not started")  # a whole exercise not implemented is reported in one line
        return words


def attack(name: str) -> Attack:
    return Attack(name, _meta(ATTACKS / name))


def lesson_attacks(lesson: str) -> list[str]:
    """The attacks handed in as a whole lesson (``target: <lesson>`` in their attack.yaml)."""
    return sorted(
        p.name
        for p in ATTACKS.iterdir()
        if (p / "attack.yaml").is_file() and yaml.safe_load((p / "attack.yaml").read_text()).get("target") == lesson
    )


def lesson_exercises(lesson: str) -> list[str]:
    """``lesson.exercise`` ids of a lesson of this repository's curriculum."""
    data = yaml.safe_load((REPO / "curriculum.yaml").read_text())
    return [f"{lesson}.{e['id']}" for les in data["lessons"] if les["id"] == lesson for e in les["exercises"]]


def copy_attack(name: str, dest: Path, subst: dict[str, str]) -> None:
    """Write attack ``name`` (on top of its ``base`` attack, if it names one) into ``dest``, placeholders filled."""
    folders = [ATTACKS / base for base in [_meta(ATTACKS / name).get("base")] if base] + [ATTACKS / name]
    for folder in folders:
        for f in folder.rglob("*"):
            rel = f.relative_to(folder)
            if f.is_dir() or rel.name in ("attack.yaml", "README.md"):
                continue
            text = f.read_text()
            for k, v in subst.items():
                text = text.replace(k, v)
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_text(text)


def tree_hash(root: Path) -> dict[str, str]:
    """Every file and link under ``root`` (the grader's own ``.dlgrade`` records aside), by content."""
    out = {}
    for p in sorted(root.rglob("*")):
        if ".dlgrade" in p.relative_to(root).parts:
            continue  # the grader's own progress record, not the submission's doing
        if p.is_symlink():
            out[str(p.relative_to(root))] = "link:" + os.readlink(p)
        elif p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def sandbox_procs() -> list[int]:
    """Processes running as one of the strict sandbox's uids."""
    from grader.engine.untrusted.sandbox import UID_BASE

    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            for line in (d / "status").read_text().splitlines():
                if line.startswith("Uid:") and int(line.split()[1]) >= UID_BASE:
                    pids.append(int(d.name))
        except OSError:
            continue
    return pids


def strict_available() -> bool:
    from grader.engine.untrusted.sandbox import probe as probe_sandbox

    layers = probe_sandbox()
    return all(str(layers.get(k, "")).startswith("active") for k in ("user", "network", "filesystem"))


class Listener:
    """A TCP server on 127.0.0.1 that records every connection (the network attack's target)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.received.append(conn.recv(100) or b"<connected>")
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join(timeout=2)
        self.sock.close()


# Runs a command under a child subreaper: every process the command leaves behind, also one that started a new
# session, becomes this wrapper's child once its parent is gone. After the command ends (and a grace period for
# late writers) the wrapper lists its children left, ends them, and writes {"code", "left"} as JSON to argv[1].
# Ctrl-C on the terminal is for the command: the wrapper ignores it.
REAPER = r"""
import ctypes, json, os, signal, subprocess, sys, time

ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
signal.signal(signal.SIGINT, signal.SIG_IGN)
out, grace, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
proc = subprocess.Popen(argv, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
code = proc.wait()
time.sleep(grace)
me, left = os.getpid(), []
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        stat = open(f"/proc/{d}/stat").read()
        cmd = open(f"/proc/{d}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    if int(fields[1]) == me and fields[0] != "Z":
        left.append({"pid": int(d), "cmd": cmd[:200]})
        try:
            os.kill(int(d), signal.SIGKILL)
        except OSError:
            pass
json.dump({"code": code, "left": left}, open(out, "w"))
sys.exit(code)
"""


def reaped(argv: list[str], report: Path, grace_s: float = 3.0) -> list[str]:
    """``argv`` run under the subreaper wrapper above, which writes what was left to ``report``."""
    import sys

    return [sys.executable, "-c", REAPER, str(report), str(grace_s), *argv]


def kernel_children_cell() -> str:
    """A plain notebook cell: the kernel's child processes still running (escaped ones land here once the kernel
    is a subreaper, see :func:`subreaper_cell`), ended, and printed as one JSON line."""
    return """import json as _j, os as _o, signal as _s, time as _t
_t.sleep(2)
_left = []
for _d in _o.listdir("/proc"):
    try:
        _st = open(f"/proc/{_d}/stat").read() if _d.isdigit() else ""
    except OSError:
        continue
    _f = _st[_st.rindex(")") + 2:].split() if _st else []
    if _f and int(_f[1]) == _o.getpid() and _f[0] != "Z":
        _left.append(int(_d))
        _o.kill(int(_d), _s.SIGKILL)
print("LEFT " + _j.dumps(_left))
"""


def subreaper_cell() -> str:
    """A plain notebook cell that makes the kernel a child subreaper, so that a process which escapes a graded
    cell's process tree becomes the kernel's child, where :func:`kernel_children_cell` sees it."""
    return "import ctypes as _c\n_c.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)\n"
