"""watch with what learners really do: files caught mid-write, code that hangs, bursts of saves, Ctrl-C."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, alive, make_course, process_tree, run_cli

pytestmark = pytest.mark.slow


def test_a_watch_session_survives_bad_input_and_leaves_nothing_behind(tmp_path: Path) -> None:
    import pexpect

    course = make_course(tmp_path / "course", ["lesson7.softmax_ce"])
    ws = tmp_path / "work"
    assert run_cli("init", str(ws), "--course", str(course)).code == 0
    target = ws / "lesson7" / "softmax_ce.py"
    good = (course / "solutions" / "lesson7" / "softmax_ce.py").read_text()
    hangs = good.replace(
        "def log_softmax(x", "def log_softmax(x, *_rest):\n    while True:\n        pass\n\n\ndef _unused(x"
    )
    env = dict(os.environ, NO_COLOR="1", COLUMNS="160", PYTHONPATH=str(REPO))
    env.pop("DLGRADE_COURSE", None)
    child = pexpect.spawn(
        sys.executable, ["-m", "grader", "watch", "lesson7"], cwd=str(ws), env=env, encoding="utf-8", timeout=240
    )
    try:
        child.expect("ready: save an exercise file")

        # A file caught half-written: a syntax error, reported as one; the engine is not stuck.
        target.write_text(good[: good.index("shifted = x - m") + 14] + "(m\n")  # cut off mid-expression
        child.expect("syntax error")
        child.expect("not passed yet")
        target.write_text(good)
        child.expect("lesson7.softmax_ce passed")

        # Code that never returns costs that save only: bounded, and the next save is graded as usual.
        start = time.monotonic()
        target.write_text(hangs)
        child.expect("not passed yet")
        assert time.monotonic() - start < 90
        assert re.search(r"did not return|no answer within", child.before)
        target.write_text(good + "\n# fixed\n")
        child.expect("lesson7.softmax_ce passed")

        # A burst of 50 saves in about 10 s: coalesced, and the last one is what gets graded.
        child.expect("waiting for the next save")
        for i in range(50):
            target.write_text((good if i == 49 else hangs.replace("while True", "while False")) + f"\n# {i}\n")
            time.sleep(0.2)
        child.expect("lesson7.softmax_ce passed", timeout=240)
        deadline = time.monotonic() + 20
        output = ""
        while time.monotonic() < deadline:
            try:
                output += child.read_nonblocking(65536, timeout=2)
            except pexpect.TIMEOUT:
                break
        graded = (child.before + output).count("(saved)")
        assert graded < 50  # coalesced, not queued save by save
        assert target.read_text().endswith("# 49\n")

        # Ctrl-C: the watcher, its engine and every worker are gone.
        tree = {child.pid} | process_tree(child.pid)
        assert len(tree) >= 3  # watch, the trusted process, its zygote
        child.sendintr()
        child.expect(pexpect.EOF, timeout=30)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and [p for p in tree if alive(p)]:
            time.sleep(0.1)
        assert not [p for p in tree if alive(p)]
    finally:
        child.close(force=True)
