"""``dlgrade grade`` as an instructor runs it in a terminal: a progress bar, and Ctrl-C that keeps the work done."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, alive, make_course, process_tree

pytestmark = pytest.mark.slow

N_SUBS = 12


def _slow_submissions(course: Path, root: Path) -> Path:
    """Correct submissions that each take about a second to import, so a run can be stopped midway."""
    subs = root / "subs"
    for i in range(N_SUBS):
        dest = subs / f"learner{i:02d}"
        shutil.copytree(course / "solutions", dest)
        code = dest / "lesson7" / "softmax_ce.py"
        code.write_text("import time\ntime.sleep(1.0)\n" + code.read_text())
    return subs


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_STEP_SUMMARY")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(REPO), COLUMNS="120")
    return env


def _spawn(args: list[str]) -> Any:
    """The command in a terminal of its own (a ^C can split a bar's multi-byte character: replace it)."""
    import pexpect

    return pexpect.spawn(
        sys.executable,
        args,
        env=_env(),
        encoding="utf-8",
        codec_errors="replace",
        timeout=120,
        dimensions=(40, 120),
        preexec_fn=_as_a_shell_starts_it,
    )


def _as_a_shell_starts_it() -> None:
    """A shell starts a foreground command with Ctrl-C at its default; the test process may have it ignored or
    blocked (a background job of a script), and a command inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _ctrl_c(child: Any) -> None:
    """What a terminal does on Ctrl-C: SIGINT to its foreground process group (the command's group here)."""
    os.killpg(os.getpgid(child.pid), signal.SIGINT)


def _rows(csv_path: Path) -> list[dict[str, str]]:
    with csv_path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_ctrl_c_keeps_what_finished_and_the_same_command_resumes(tmp_path: Path) -> None:
    import pexpect

    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"])
    subs = _slow_submissions(course, tmp_path)
    out = tmp_path / "out"
    args = ["-m", "grader", "grade", str(subs), "--lesson", "lesson7", "--out", str(out), "--jobs", "1"]
    args += ["--course", str(course)]
    child = _spawn(args)
    try:
        # A terminal gets a live progress bar: "grading ... 2/12 ...".
        child.expect(r"grading.*\d+/12", timeout=120)
        results = out / "results"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(results.glob("*.json"))) < 2:
            time.sleep(0.1)
        assert len(list(results.glob("*.json"))) >= 2
        tree = {child.pid} | process_tree(child.pid)
        assert len(tree) >= 3  # grade, a trusted process, its zygote
        sent = time.monotonic()
        _ctrl_c(child)
        child.expect(pexpect.EOF, timeout=30)
        stopped_in = time.monotonic() - sent
        child.close()
        text = child.before or ""
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, text
    assert stopped_in < 2.0, f"Ctrl-C took {stopped_in:.1f} s to stop grading"
    assert "run the same command again" in text and "Traceback" not in text
    finished = len(list((out / "results").glob("*.json")))
    assert 2 <= finished < N_SUBS
    rows = _rows(out / "gradebook.csv")
    assert len(rows) == finished and {r["status"] for r in rows} == {"passed"}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [p for p in tree if alive(p)]:
        time.sleep(0.1)
    assert not [p for p in tree if alive(p)], "grading processes outlived Ctrl-C"

    # The same command, piped this time: no progress bar, the graded ones are skipped, the rest graded.
    env = _env()
    again = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)
    said = again.stdout + again.stderr
    assert again.returncode == 0, said
    assert f"({finished} already graded, skipped" in said
    assert "\x1b[" not in said and "━" not in said  # no bar, no escapes, when piped
    rows = _rows(out / "gradebook.csv")
    assert len(rows) == N_SUBS and {r["status"] for r in rows} == {"passed"}


def test_a_second_ctrl_c_while_stopping_still_ends_cleanly(tmp_path: Path) -> None:
    import pexpect

    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"])
    subs = _slow_submissions(course, tmp_path)
    out = tmp_path / "out"
    args = ["-m", "grader", "grade", str(subs), "--lesson", "lesson7", "--out", str(out), "--jobs", "2"]
    args += ["--course", str(course)]
    child = _spawn(args)
    try:
        child.expect(r"grading", timeout=120)
        time.sleep(1.0)
        tree = {child.pid} | process_tree(child.pid)
        _ctrl_c(child)
        _ctrl_c(child)
        child.expect(pexpect.EOF, timeout=30)
        child.close()
        text = child.before or ""
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, text
    assert "Traceback" not in text
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [p for p in tree if alive(p)]:
        time.sleep(0.1)
    assert not [p for p in tree if alive(p)]
