"""grader/engine/engine.py: one warm engine, job after job — reload, replacement of dead parts, no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.course.curriculum import load_course
from grader.engine.engine import Engine
from grader.engine.results import Status
from grader.engine.runner import GradeOptions, Grader, RunInput
from tests.conftest import REPO, alive, make_course, process_tree, workspace_with

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory):
    return load_course(make_course(tmp_path_factory.mktemp("c"), ["lesson7.softmax_ce"]))


def _grade(course, engine: Engine, workspace: Path):
    return Grader(course, course.all_exercises(), GradeOptions(), [engine]).grade([RunInput("r", workspace)])["r"][0]


def test_jobs_reuse_one_process_and_an_edited_suite_counts_at_once(course, tmp_path: Path) -> None:
    sol = course.root / "solutions"
    with Engine() as engine:
        assert _grade(course, engine, sol).status is Status.PASSED
        pid = engine.proc.pid if engine.proc else None
        suite = course.all_exercises()[0].suite_path
        original = suite.read_text()
        suite.write_text(original + "\n\ndef test_added_later(learner):\n    from grader.testing import expect\n"
                         "    expect(False, 'a check added while the engine ran')\n")  # fmt: skip
        try:
            again = _grade(course, engine, sol)
        finally:
            suite.write_text(original)
        assert engine.proc is not None and engine.proc.pid == pid and engine.started == 1
        assert again.status is Status.FAILED
        assert any("added while the engine ran" in c.message for c in again.checks)
        assert _grade(course, engine, sol).status is Status.PASSED


def test_a_dead_trusted_process_is_replaced_before_the_next_job(course) -> None:
    sol = course.root / "solutions"
    with Engine() as engine:
        assert _grade(course, engine, sol).status is Status.PASSED
        assert engine.proc is not None
        os.killpg(engine.proc.pid, signal.SIGKILL)
        engine.proc.wait()
        assert _grade(course, engine, sol).status is Status.PASSED
        assert engine.started == 2


def test_a_learner_that_kills_the_zygote_costs_its_own_job_only(course, tmp_path: Path) -> None:
    sol = course.root / "solutions"
    killer = workspace_with(
        tmp_path, course.root, {"lesson7/softmax_ce.py": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"}
    )
    with Engine() as engine:
        bad = _grade(course, engine, killer)
        assert bad.status is not Status.PASSED and bad.score == 0
        assert _grade(course, engine, sol).status is Status.PASSED


def test_close_leaves_no_process(course) -> None:
    engine = Engine().start()
    _grade(course, engine, course.root / "solutions")
    assert engine.proc is not None
    tree = {engine.proc.pid} | process_tree(engine.proc.pid)
    assert len(tree) >= 2  # the trusted process and its zygote
    engine.close()
    time.sleep(0.5)
    assert not [p for p in tree if alive(p)]


OWNER = """
import sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from grader.course.curriculum import load_course
from grader.engine.engine import Engine
from grader.engine.runner import GradeOptions, Grader, RunInput
course = load_course(Path({course!r}))
engine = Engine().start()
Grader(course, course.all_exercises(), GradeOptions(), [engine]).grade([RunInput("r", course.root / "solutions")])
print(engine.proc.pid, flush=True)
time.sleep(600)
"""


def test_the_engine_dies_with_its_owner_even_on_sigkill(course, tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(textwrap.dedent(OWNER.format(repo=str(REPO), course=str(course.root))))
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        trusted = int(owner.stdout.readline())  # type: ignore[union-attr]
        tree = {trusted} | process_tree(trusted)
        assert len(tree) >= 2
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and [p for p in tree if alive(p)]:
            time.sleep(0.1)
        assert not [p for p in tree if alive(p)]
    finally:
        owner.kill()
