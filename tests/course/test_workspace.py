"""Workspaces and progress as a learner uses them: init, check inside, list, progress, reset, solution."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.course.curriculum import load
from grader.course.paths import MARKER, find_workspace
from grader.course.workspace import init_workspace
from grader.errors import UsageError
from grader.progress.tracker import Progress
from tests.conftest import make_course, run_cli


@pytest.fixture
def course2(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course", ["lesson7.softmax_ce", "lesson7.weight_decay"])


@pytest.fixture
def ws(course2: Path, tmp_path: Path) -> Path:
    res = run_cli("init", str(tmp_path / "work"), "--course", str(course2))
    assert res.code == 0, res.stderr
    return tmp_path / "work"


# ---------------------------------------------------------------------- init


def test_init_copies_stubs_and_readmes_and_marks_the_course(ws: Path, course2: Path) -> None:
    for rel in ("lesson7/softmax_ce.py", "lesson7/weight_decay.py", "lesson7/README.md"):
        assert (ws / rel).read_bytes() == (course2 / "exercises" / rel).read_bytes()
    marker = json.loads((ws / MARKER).read_text())
    assert Path(marker["course"]) == course2.resolve() and Path(marker["course"]).is_absolute()
    assert not (ws / "lesson7" / "quiz.yaml").exists() and not (ws / "solutions").exists()
    assert find_workspace(ws / "lesson7") == ws.resolve()


def test_init_refuses_a_folder_that_is_not_empty(course2: Path, tmp_path: Path) -> None:
    target = tmp_path / "stuff"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    res = run_cli("init", str(target), "--course", str(course2))
    assert res.code == 2 and "not empty" in res.stderr and "fix:" in res.stderr
    assert not (target / ".dlgrade").exists()


def test_init_again_adds_only_missing_files(ws: Path, course2: Path) -> None:
    mine = ws / "lesson7" / "softmax_ce.py"
    mine.write_text("# my work\n")
    (ws / "lesson7" / "weight_decay.py").unlink()
    res = run_cli("init", str(ws), "--course", str(course2))
    assert res.code == 0, res.stderr
    assert "added 1 new file" in res.stdout and "lesson7/weight_decay.py" in res.stdout
    assert mine.read_text() == "# my work\n"  # the learner's file is never overwritten
    assert (ws / "lesson7" / "weight_decay.py").is_file()
    res = run_cli("init", ".", cwd=ws)  # the course is found through the marker
    assert res.code == 0 and "up to date" in res.stdout


def test_a_course_update_reaches_the_workspace_only_through_init(ws: Path, course2: Path) -> None:
    stub = course2 / "exercises" / "lesson7" / "softmax_ce.py"
    stub.write_text(stub.read_text() + "\n# course update\n")
    assert "course update" not in (ws / "lesson7" / "softmax_ce.py").read_text()


def test_init_refuses_a_workspace_of_another_course(ws: Path, tmp_path: Path) -> None:
    other = make_course(tmp_path / "other", ["lesson7.softmax_ce"])
    with pytest.raises(UsageError, match="another course"):
        init_workspace(load(other), ws)


def test_commands_inside_a_workspace_find_it_and_its_course(ws: Path) -> None:
    res = run_cli("list", cwd=ws / "lesson7")
    assert res.code == 0, res.stderr
    assert "lesson7.softmax_ce" in res.stdout and "← next up" in res.stdout
    assert "next up: lesson7.softmax_ce" in res.stdout and "softmax_ce.py" in res.stdout


# ---------------------------------------------------------------------- the learner's whole path (grades twice)


@pytest.mark.slow
def test_learner_path_check_progress_solution(ws: Path, course2: Path) -> None:
    res = run_cli("check", "lesson7.softmax_ce", cwd=ws)
    assert res.code == 1 and "not started: write log_softmax and softmax_cross_entropy" in res.stdout
    assert (ws / ".dlgrade" / "progress.sqlite").is_file()
    assert not (course2 / "exercises" / ".dlgrade").exists()  # graded the workspace, not the course's stubs

    res = run_cli("solution", "lesson7.softmax_ce", cwd=ws)
    assert res.code == 1 and "pass it first: dlgrade check lesson7.softmax_ce" in res.stderr
    assert "def softmax_cross_entropy" not in res.stdout

    solution = (course2 / "solutions" / "lesson7" / "softmax_ce.py").read_text()
    (ws / "lesson7" / "softmax_ce.py").write_text(solution)
    res = run_cli("--quiet", "check", "lesson7.softmax_ce", cwd=ws)
    assert res.code == 0, res.stdout + res.stderr
    assert "all checks passed" in res.stdout and "✔" not in res.stdout  # --quiet drops the passed lines

    res = run_cli("solution", "lesson7.softmax_ce", cwd=ws)
    assert res.code == 0 and res.stdout == solution

    res = run_cli("progress", "--format", "json", cwd=ws)
    lesson = res.json["lessons"][0]
    assert (lesson["passed"], lesson["total"], lesson["score"], lesson["max_score"]) == (1, 2, 10, 20)
    ex = lesson["exercises"][0]
    assert ex["attempts"] == 2 and ex["status"] == "passed" and ex["first_pass"] is not None
    assert res.json["next_up"] == "lesson7.weight_decay"

    res = run_cli("list", cwd=ws)
    assert re.search(r"softmax_ce .*✔ passed .*10/10", res.stdout)
    assert "next up: lesson7.weight_decay" in res.stdout


# ---------------------------------------------------------------------- progress


def _record(ws: Path, *rows: tuple[str, str, float]) -> None:
    prog = Progress.for_workspace(ws)
    for ex, status, score in rows:
        prog.record(ex, status, score, 10)
    prog.close()


def test_progress_table_per_lesson(ws: Path) -> None:
    _record(ws, ("lesson7.softmax_ce", "failed", 4), ("lesson7.softmax_ce", "passed", 10))
    prog = Progress.for_workspace(ws)
    prog.record_quiz("lesson7", 3, 5)
    prog.close()
    res = run_cli("progress", cwd=ws)
    assert res.code == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if line.startswith("│ lesson7"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[0] == "lesson7" and cells[2:5] == ["1/2", "10/20", "3/5"]
    assert re.match(r"0 \(\+\d+ new\)", cells[5])  # no card reviewed yet: none due, all new
    assert "next up: dlgrade check lesson7.weight_decay" in res.stdout

    res = run_cli("progress", "lesson7", cwd=ws)
    assert re.search(r"lesson7\.softmax_ce .*✔ passed .*10/10 .*2 .*\d{4}-\d\d-\d\d \d\d:\d\d", res.stdout)
    res = run_cli("progress", "lesson7", "--format", "json", cwd=ws)
    assert res.json["lessons"][0]["quiz_best"] == 3 and res.json["lessons"][0]["cards_new"] > 0


# ---------------------------------------------------------------------- solution


def test_solution_only_after_a_pass(ws: Path, course2: Path) -> None:
    res = run_cli("solution", "softmax_ce", cwd=ws)
    assert res.code == 1 and "pass it first: dlgrade check lesson7.softmax_ce" in res.stderr
    _record(ws, ("lesson7.softmax_ce", "failed", 3))
    res = run_cli("solution", "lesson7.softmax_ce", cwd=ws)
    assert res.code == 1 and "not passed yet (1 try)" in res.stderr and res.stdout == ""
    _record(ws, ("lesson7.softmax_ce", "passed", 10))
    res = run_cli("solution", "lesson7.softmax_ce", cwd=ws)
    assert res.code == 0
    assert res.stdout == (course2 / "solutions" / "lesson7" / "softmax_ce.py").read_text()


# ---------------------------------------------------------------------- reset


def test_reset_asks_then_restores_and_keeps_a_backup(ws: Path, course2: Path) -> None:
    mine = ws / "lesson7" / "softmax_ce.py"
    mine.write_text("# my attempt\n")
    stub = (course2 / "exercises" / "lesson7" / "softmax_ce.py").read_text()

    res = _run_with_input(["reset", "lesson7.softmax_ce"], ws, "n\n")
    assert res.returncode == 1 and "nothing changed" in res.stdout
    assert mine.read_text() == "# my attempt\n"

    res = _run_with_input(["reset", "lesson7.softmax_ce"], ws, "y\n")
    assert res.returncode == 0, res.stderr
    assert mine.read_text() == stub
    backups = list((ws / ".dlgrade" / "backup").iterdir())
    assert len(backups) == 1 and backups[0].read_text() == "# my attempt\n"
    assert re.fullmatch(r"lesson7\.softmax_ce\.\d{8}-\d{6}\.py", backups[0].name)

    res = run_cli("reset", "softmax_ce", cwd=ws)
    assert res.code == 0 and "already the stub" in res.stdout

    mine.write_text("# second attempt\n")
    res = run_cli("reset", "softmax_ce", "--yes", cwd=ws)
    assert res.code == 0 and mine.read_text() == stub
    assert len(list((ws / ".dlgrade" / "backup").iterdir())) == 2


def test_reset_outside_a_workspace_is_refused(course2: Path) -> None:
    # Not from inside the course copy: its grader/ folder would shadow the package for `python -m grader`.
    res = run_cli("reset", "lesson7.softmax_ce", "--yes", "--course", str(course2), cwd=course2.parent)
    assert res.code == 2 and "dlgrade init" in res.stderr


def _run_with_input(args: list[str], cwd: Path, text: str):
    import os
    import subprocess
    import sys

    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd,
        env=env,
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
