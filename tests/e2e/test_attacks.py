"""The attack corpus: every submission in tests/attacks/ earns nothing, through the real CLI.

For each attack: the exercise scores zero with a message naming what happened, the run ends within
its limit, no process of the submission outlives it, the course is byte-identical afterwards and
nothing is written outside the run's temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import make_course, run_cli

pytestmark = pytest.mark.slow

ATTACKS = Path(__file__).parents[1] / "attacks"
# One exercise each (lesson7.softmax_ce); the whole-lesson attacks (a `target` in attack.yaml) are graded by
# test_attacks_lesson.py.
NAMES = sorted(
    p.name
    for p in ATTACKS.iterdir()
    if (p / "attack.yaml").is_file() and not yaml.safe_load((p / "attack.yaml").read_text()).get("target")
)
# These defeat only the portable layer; they need the strict sandbox (root on Linux).
NEEDS_STRICT = {"reads_secrets", "prints_hidden_suite", "imports_solution_by_path", "network_connection"}
SECRET = "s3cr3t-" + hashlib.sha256(os.urandom(8)).hexdigest()[:12]


def test_corpus_is_big_enough() -> None:
    classes = {yaml.safe_load((ATTACKS / n / "attack.yaml").read_text())["class"] for n in NAMES}
    assert len(NAMES) >= 25
    assert classes == {"exits", "resources", "tampering", "pytest", "exfiltration", "honesty"}


def _tree_hash(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if ".dlgrade" in p.relative_to(root).parts:
            continue  # the grader's own progress record, not the submission's doing
        if p.is_symlink():
            out[str(p.relative_to(root))] = "link:" + os.readlink(p)
        elif p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _sandbox_procs() -> list[int]:
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


def _strict_available() -> bool:
    from grader.engine.untrusted.sandbox import probe as probe_sandbox

    layers = probe_sandbox()
    return all(str(layers.get(k, "")).startswith("active") for k in ("user", "network", "filesystem"))


@pytest.fixture(scope="module")
def strict() -> bool:
    ok = _strict_available()
    if not ok and os.environ.get("CI") == "true":
        pytest.fail("CI must offer the strict sandbox (run as root on Linux); `dlgrade doctor` says why not")
    return ok


class Listener:
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


@pytest.mark.parametrize("name", NAMES)
def test_attack_earns_nothing(name: str, tmp_path: Path, strict: bool) -> None:
    if name in NEEDS_STRICT and not strict:
        pytest.skip("needs the strict sandbox (root on Linux); outside CI this machine does not offer it")
    meta = yaml.safe_load((ATTACKS / name / "attack.yaml").read_text())
    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"], timeout_s=2, budget_s=8)
    ws = tmp_path / "ws"
    shutil.copytree(course / "solutions", ws)
    listener = Listener()
    subst = {"{COURSE}": str(course), "{PORT}": str(listener.port)}
    for src in (ATTACKS / name).rglob("*"):
        rel = src.relative_to(ATTACKS / name)
        if src.is_dir() or rel.name == "attack.yaml":
            continue
        text = src.read_text()
        for k, v in subst.items():
            text = text.replace(k, v)
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(text)
    for rel, target in (meta.get("symlinks") or {}).items():
        (ws / rel).unlink(missing_ok=True)
        os.symlink(target.replace("{COURSE}", str(course)), ws / rel)
    procs_before = set(_sandbox_procs())
    course_before = _tree_hash(course)
    ws_before = _tree_hash(ws)
    outside_before = {p.name for p in tmp_path.iterdir()}

    start = time.monotonic()
    try:
        res = run_cli(
            "check",
            "lesson7.softmax_ce",
            "--course",
            str(course),
            "--workspace",
            str(ws),
            "--format",
            "json",
            "--sandbox",
            "strict" if strict else "portable",
            env={"DLGRADE_TEST_SECRET": SECRET},
            timeout=240,
        )
    finally:
        listener.close()
    elapsed = time.monotonic() - start

    assert res.code == 1, res.stderr[-2000:]
    ex = res.json["exercises"][0]
    assert ex["score"] == 0, ex
    assert ex["status"] != "passed"
    if meta.get("expect_error"):
        assert meta["expect_error"] in (ex["error"] or ""), ex
    else:
        kinds = {c["kind"] for c in ex["checks"] if c["status"] != "passed"}
        assert kinds & set(meta["expect_kinds"]), (kinds, [c["message"] for c in ex["checks"]][:3])
        assert all(c["message"] for c in ex["checks"] if c["status"] != "passed")
    assert elapsed < 120

    if strict:
        # Sandboxed processes that were not there before the run must be gone (a grace period for the kernel
        # to finish reaping; processes of another grading run on the same machine were there before).
        deadline = time.monotonic() + 3
        while (left := set(_sandbox_procs()) - procs_before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, "a process of the submission outlived the run"
    assert _tree_hash(course) == course_before
    assert _tree_hash(ws) == ws_before
    assert {p.name for p in tmp_path.iterdir()} == outside_before
    everything = res.stdout + res.stderr
    assert SECRET not in everything
    assert "def test_" not in everything and "expect_close" not in everything
    assert listener.received == []
