"""Whole-lesson attacks: hostile lesson-7 workspaces graded through the real CLI, portable and strict.

Each workspace in tests/attacks/ whose attack.yaml names a ``target`` lesson is graded with ``dlgrade check lesson7
-o report.json`` under a small watcher process that is a child subreaper: every process the run leaves behind is
re-parented to it, so "no process left" is observed, not assumed, in both modes. It also watches the report's folder
with inotify to count how often the report is written, and waits a grace period after dlgrade exits for late
writers. The expectation for every attack: 0 points, a message that names what happened, the run ends within the
lesson's budget, the report written once, no process left, no file written outside the run's copy.

The lesson's budget is given with ``--budget`` (12 s, and 2 s per call) so that the test stays short; the default is
60 s and the same code holds it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import IN_CI, REPO, make_course
from tests.e2e.attack_cases import ATTACKS, copy_attack, lesson_attacks, lesson_exercises, tree_hash

pytestmark = pytest.mark.slow

LESSON = "lesson7"
LESSON_BUDGET_S = 12  # what a whole lesson may take, whatever its code does (given with --budget)
START_AND_REPORT_S = 30  # starting the grader and torch, and writing the report, on a busy 2-core machine
GRACE_S = 4.5  # how long after dlgrade exits late writers are waited for (the late writer writes after 3 s)
NAMES = lesson_attacks(LESSON)


def _layers(mode: str) -> dict[str, str]:
    from grader.engine.untrusted.sandbox import probe

    return probe(mode) if sys.platform.startswith("linux") else {}


def _active(layers: dict[str, str], name: str) -> bool:
    return str(layers.get(name, "")).startswith("active")


PORTABLE = _layers("portable")
STRICT = _layers("strict")
# The portable layer keeps writes in the copy and ends escaped processes only where user namespaces exist.
NAMESPACES = _active(PORTABLE, "filesystem") and _active(PORTABLE, "pid")
STRICT_OK = all(_active(STRICT, k) for k in ("user", "network", "filesystem"))


# The watcher: a child subreaper that runs dlgrade, counts writes to the report, waits for late writers, reports
# every process left behind (and ends it), as JSON on its stdout.
WATCHER = r"""
import ctypes, json, os, signal, struct, subprocess, sys, time

cfg = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
ino = libc.inotify_init1(os.O_NONBLOCK)
libc.inotify_add_watch(ino, cfg["report"].rsplit("/", 1)[0].encode(), 0x8 | 0x80)  # IN_CLOSE_WRITE | IN_MOVED_TO

def writes():
    found = []
    while True:
        try:
            data = os.read(ino, 65536)
        except BlockingIOError:
            return found
        i = 0
        while i < len(data):
            wd, mask, cookie, size = struct.unpack_from("iIII", data, i)
            name = data[i + 16 : i + 16 + size].rstrip(b"\0").decode()
            if name == cfg["report"].rsplit("/", 1)[1]:
                found.append(time.monotonic())
            i += 16 + size

def descendants():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if rest[0] != "Z":
            kids.setdefault(int(rest[1]), []).append((int(d), comm, cmd))
    out, todo = [], [os.getpid()]
    while todo:
        for pid, comm, cmd in kids.get(todo.pop(), []):
            out.append({"pid": pid, "name": comm, "cmdline": cmd[:200]})
            todo.append(pid)
    return out

def reap():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return

start = time.monotonic()
with open(cfg["stdout"], "w") as out, open(cfg["stderr"], "w") as err:
    proc = subprocess.Popen(cfg["argv"], stdout=out, stderr=err, env=cfg["env"], cwd=cfg["cwd"])
    try:
        code = proc.wait(timeout=cfg["limit"])
    except subprocess.TimeoutExpired:
        proc.kill()
        code = None
        proc.wait()
elapsed = time.monotonic() - start
events = writes()  # stamped when read: everything so far happened before dlgrade exited
done = time.monotonic()
try:
    with open(cfg["report"], "rb") as fh:
        at_exit = fh.read().decode(errors="replace")
except OSError:
    at_exit = None
deadline = time.monotonic() + cfg["grace"]
while time.monotonic() < deadline:
    reap()
    events += writes()
    time.sleep(0.2)
reap()
events += writes()
left = descendants()
for p in left:
    try:
        os.kill(p["pid"], signal.SIGKILL)
    except OSError:
        pass
time.sleep(0.2)
reap()
try:
    with open(cfg["report"], "rb") as fh:
        after = fh.read().decode(errors="replace")
except OSError:
    after = None
print(json.dumps({
    "code": code, "elapsed": elapsed, "left": left, "report_at_exit": at_exit, "report_after": after,
    "writes": len(events), "late_writes": len([t for t in events if t > done]),
}))
"""


@dataclass
class Outcome:
    name: str
    mode: str
    meta: dict[str, Any]
    watched: dict[str, Any]
    stderr: str
    report: dict[str, Any] | None
    outside: list[str]  # files written where the run's copy is not
    course_changed: bool
    workspace_changed: bool


def _grade(name: str, mode: str, tmp: Path) -> Outcome:
    meta = yaml.safe_load((ATTACKS / name / "attack.yaml").read_text())
    course = make_course(tmp / "course", lesson_exercises(LESSON), timeout_s=2, budget_s=LESSON_BUDGET_S)
    ws = tmp / "ws"
    shutil.copytree(course / "solutions", ws)
    out_dir = tmp / "out"
    out_dir.mkdir()
    report = out_dir / "report.json"
    token = f"dlgrade-attack-{uuid.uuid4().hex[:10]}"
    marks = {"{TMP_MARK}": f"/tmp/{token}", "{HOME_MARK}": str(Path.home() / token)}
    subst = {"{COURSE}": str(course), "{WORKSPACE}": str(ws), "{REPORT}": str(report), **marks}
    copy_attack(name, ws, subst)
    course_before, ws_before = tree_hash(course), tree_hash(ws)
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    env.pop("GITHUB_STEP_SUMMARY", None)
    argv = [sys.executable, "-m", "grader", "check", LESSON, "--course", str(course), "--workspace", str(ws)]
    argv += ["--format", "json", "-o", str(report), "--sandbox", mode, "--budget", str(LESSON_BUDGET_S)]
    cfg = {
        "argv": argv,
        "env": env,
        "cwd": str(REPO),
        "report": str(report),
        "stdout": str(tmp / "stdout.txt"),
        "stderr": str(tmp / "stderr.txt"),
        "limit": LESSON_BUDGET_S + START_AND_REPORT_S + 60,  # the watcher gives up well after the promise
        "grace": GRACE_S,
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-c", WATCHER, json.dumps(cfg)], capture_output=True, text=True, timeout=cfg["limit"] + 60
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        watched = json.loads(proc.stdout.strip().splitlines()[-1])
        outside = [p for p in (*marks.values(), str(ws / LESSON / "written_by_learner.txt")) if os.path.exists(p)]
        outside += [str(course / "written_by_learner.txt")] if (course / "written_by_learner.txt").exists() else []
        try:
            parsed = json.loads(watched["report_at_exit"]) if watched["report_at_exit"] else None
        except ValueError:
            parsed = None
        return Outcome(
            name=name,
            mode=mode,
            meta=meta,
            watched=watched,
            stderr=Path(cfg["stderr"]).read_text(errors="replace"),
            report=parsed,
            outside=outside,
            course_changed=tree_hash(course) != course_before,
            workspace_changed=tree_hash(ws) != ws_before,
        )
    finally:
        for p in marks.values():
            Path(p).unlink(missing_ok=True)


def _case(name: str, mode: str, *marks: pytest.MarkDecorator) -> Any:
    return pytest.param((name, mode), id=f"{name}-{mode}", marks=list(marks))


_cache: dict[tuple[str, str], Outcome] = {}


@pytest.fixture(scope="module")
def outcome(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    name, mode = request.param
    if mode == "strict" and not STRICT_OK:
        if IN_CI:
            pytest.fail("CI must offer the strict sandbox (run as root on Linux); `dlgrade doctor` says why not")
        pytest.skip("needs the strict sandbox (root on Linux); outside CI this machine does not offer it")
    if (name, mode) not in _cache:
        _cache[(name, mode)] = _grade(name, mode, tmp_path_factory.mktemp(f"{name}-{mode}"))
    return _cache[(name, mode)]


def _cases() -> list[Any]:
    """Every (attack, mode)."""
    return [_case(n, m) for n in NAMES for m in ("portable", "strict")]


def test_the_corpus_has_the_whole_lesson_attacks() -> None:
    assert set(NAMES) >= {
        "every_function_loops",
        "every_function_sleeps",
        "endless_recursion",
        "detached_grandchild",
        "rewrites_report_later",
        "writes_outside_copy",
    }


@pytest.mark.parametrize("outcome", _cases(), indirect=True)
def test_scores_nothing_and_says_what_happened(outcome: Outcome) -> None:
    assert outcome.watched["code"] == 1, outcome.stderr[-2000:]
    report = outcome.report
    assert report is not None, "no report was written"
    assert report["score"] == 0 and report["status"] != "passed"
    assert len(report["exercises"]) == len(lesson_exercises(LESSON))
    expected = set(outcome.meta["expect_kinds"])
    for ex in report["exercises"]:
        assert ex["score"] == 0 and ex["status"] != "passed", ex
        failed = [c for c in ex["checks"] if c["status"] != "passed"]
        if ex["error"]:
            continue  # an error names itself (and scores nothing)
        assert failed and all(c["message"] for c in failed), ex
        kinds = {c["kind"] for c in failed}
        assert kinds & expected, (ex["id"], kinds, [c["message"] for c in failed][:3])
        words = outcome.meta.get("expect_message_any")
        if words:  # in the message, or in the output kept with it
            said = [c["message"] + "\n" + (c.get("output") or "") for c in failed]
            assert any(w in text for text in said for w in words), said[:3]


@pytest.mark.parametrize("outcome", _cases(), indirect=True)
def test_ends_within_the_lesson_budget(outcome: Outcome) -> None:
    assert outcome.watched["code"] is not None, "dlgrade had not finished when the watcher gave up"
    assert outcome.watched["elapsed"] < LESSON_BUDGET_S + START_AND_REPORT_S, outcome.watched["elapsed"]


@pytest.mark.parametrize("outcome", _cases(), indirect=True)
def test_no_process_is_left(outcome: Outcome) -> None:
    assert outcome.watched["left"] == [], outcome.watched["left"]


@pytest.mark.parametrize("outcome", _cases(), indirect=True)
def test_the_report_is_written_once(outcome: Outcome) -> None:
    assert outcome.watched["writes"] == 1, outcome.watched
    assert outcome.watched["late_writes"] == 0
    assert outcome.watched["report_after"] == outcome.watched["report_at_exit"]


@pytest.mark.parametrize("outcome", _cases(), indirect=True)
def test_nothing_is_written_outside_the_copy(outcome: Outcome) -> None:
    if outcome.mode == "portable" and not NAMESPACES:
        if IN_CI:
            pytest.fail("CI must offer user namespaces (root on Linux): `dlgrade doctor` says why not")
        pytest.skip("only user namespaces keep the portable layer's writes in the copy; this machine has none")
    assert outcome.outside == []
    assert not outcome.course_changed and not outcome.workspace_changed
