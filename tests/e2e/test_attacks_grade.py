"""The whole-lesson attacks as a class handed to ``dlgrade grade``: one submission per attack, graded together.

Every learner earns 0 and the run goes on past each; the whole class ends within its budgets; the gradebook is the
grader's (a late writer aiming at it is gone before it could write); no process is left (the run is watched by a
subreaper, see attack_cases.REAPER); nothing is written outside the submissions' copies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import IN_CI, REPO, make_course
from tests.e2e.attack_cases import copy_attack, lesson_attacks, lesson_exercises, reaped, strict_available, tree_hash

pytestmark = pytest.mark.slow

LESSON = "lesson7"
BUDGET_S = 12  # per submission, given with --budget
WHOLE = lesson_attacks(LESSON)


def test_a_class_of_whole_lesson_attacks_earns_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    mode = "strict" if strict_available() else "portable"
    if mode == "portable" and IN_CI:
        pytest.fail("CI must offer the strict sandbox (run as root on Linux); `dlgrade doctor` says why not")
    assert len(WHOLE) >= 6
    course = make_course(tmp_path / "course", lesson_exercises(LESSON), timeout_s=2, budget_s=BUDGET_S)
    subs, out = tmp_path / "subs", tmp_path / "grades"
    token = f"dlgrade-attack-{uuid.uuid4().hex[:10]}"
    marks = [Path(f"/tmp/{token}"), Path.home() / token]
    for name in WHOLE:
        sub = subs / name
        subst = {
            "{COURSE}": str(course),
            "{WORKSPACE}": str(sub),
            "{REPORT}": str(out / "gradebook.json"),
            "{TMP_MARK}": str(marks[0]),
            "{HOME_MARK}": str(marks[1]),
        }
        copy_attack(name, sub, subst)
    course_before, subs_before = tree_hash(course), tree_hash(subs)
    argv = ["-m", "grader", "grade", str(subs), "--lesson", LESSON, "--out", str(out), "--course", str(course)]
    argv += ["--jobs", "2", "--budget", str(BUDGET_S), "--sandbox", mode]
    env = dict(os.environ, NO_COLOR="1")
    env.pop("GITHUB_STEP_SUMMARY", None)
    start = time.monotonic()
    proc = subprocess.run(
        reaped([sys.executable, *argv], tmp_path / "reaped.json", grace_s=4.5),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - start
    try:
        assert proc.returncode == 0, proc.stderr[-3000:]  # every submission was graded (to 0)
        left = json.loads((tmp_path / "reaped.json").read_text())
        assert left["left"] == [], left
        book = json.loads((out / "gradebook.json").read_text())  # read after the grace: no late writer won
        rows = {r["learner"]: r for r in book["learners"]}
        assert set(rows) == set(WHOLE)
        for name, row in rows.items():
            assert row["total"] == 0 and row["status"] != "passed", (name, row)
        # Six submissions on two jobs, each within its budget, plus starting and reporting.
        assert elapsed < len(WHOLE) / 2 * BUDGET_S + 90, elapsed
        assert not [m for m in marks if m.exists()]
        assert tree_hash(course) == course_before
        assert tree_hash(subs) == subs_before
        assert not (course / "written_by_learner.txt").exists()
    finally:
        for m in marks:
            m.unlink(missing_ok=True)
