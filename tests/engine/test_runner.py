"""grader/engine/runner.py: what a run copies and refuses, how an exercise is scored, and one real run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.course.curriculum import load_course
from grader.engine.results import CheckResult, Status
from grader.engine.runner import GradeOptions, Grader, RunInput, copy_lesson, exercise_result
from tests.conftest import make_course


def _check(name: str, status: str, kind: str | None = None, gate: bool = False) -> CheckResult:
    return CheckResult(name=name, title=name, status=Status(status), kind=kind, gate=gate)


@pytest.fixture
def ref(small_course: Path):
    return load_course(small_course).all_exercises()[0]


def test_partial_credit_is_the_share_of_scored_checks(ref) -> None:
    res = exercise_result(
        ref, [_check("a", "passed"), _check("b", "failed", "wrong_values"), _check("c", "passed")], None
    )
    assert res.status is Status.FAILED and res.score == pytest.approx(ref.points * 2 / 3, abs=0.01)


def test_a_failed_gate_or_a_forbidden_call_zeroes_the_exercise(ref) -> None:
    gate = exercise_result(ref, [_check("a", "passed"), _check("g", "failed", "forbidden_api", gate=True)], None)
    assert gate.score == 0.0 and gate.status is Status.FAILED
    trapped = exercise_result(ref, [_check("a", "passed"), _check("b", "failed", "forbidden_api")], None)
    assert trapped.score == 0.0


def test_a_passed_gate_earns_nothing_itself(ref) -> None:
    res = exercise_result(
        ref, [_check("a", "passed"), _check("b", "failed", "wrong_values"), _check("g", "passed", gate=True)], None
    )
    assert res.score == pytest.approx(ref.points / 2)


def test_skipped_checks_count_for_nothing_and_all_passed_is_full_marks(ref) -> None:
    res = exercise_result(ref, [_check("a", "passed"), _check("s", "skipped")], None)
    assert res.status is Status.PASSED and res.score == ref.points


def test_a_problem_before_grading_is_an_error_with_no_points(ref) -> None:
    res = exercise_result(ref, [], "lesson7/softmax_ce.py is missing")
    assert res.status is Status.ERROR and res.score == 0 and "missing" in (res.error or "")


def test_an_import_failure_with_nothing_passed_is_an_error(ref) -> None:
    res = exercise_result(ref, [_check("a", "failed", "syntax_error"), _check("b", "failed", "syntax_error")], None)
    assert res.status is Status.ERROR


def test_the_copy_refuses_links_out_and_skips_caches(tmp_path: Path) -> None:
    src = tmp_path / "ws"
    (src / "lesson7" / "__pycache__").mkdir(parents=True)
    (src / "lesson7" / "a.py").write_text("x = 1\n")
    (src / "lesson7" / "__pycache__" / "a.pyc").write_bytes(b"junk")
    secret = tmp_path / "secret.py"
    secret.write_text("s = 1\n")
    os.symlink(secret, src / "lesson7" / "b.py")
    os.symlink(src / "lesson7" / "a.py", src / "lesson7" / "c.py")
    refused = copy_lesson(src, {"lesson7"}, tmp_path / "copy")
    assert refused == {"lesson7/b.py": "is a symbolic link to a file outside the workspace"}
    assert (tmp_path / "copy" / "lesson7" / "a.py").read_text() == "x = 1\n"
    assert (tmp_path / "copy" / "lesson7" / "c.py").read_text() == "x = 1\n"  # a link inside is followed
    assert not (tmp_path / "copy" / "lesson7" / "__pycache__").exists()


@pytest.mark.slow
def test_one_trusted_process_grades_many_runs_each_in_its_own_copy(tmp_path: Path) -> None:
    course = load_course(make_course(tmp_path / "c", ["lesson7.softmax_ce"]))
    ref = course.all_exercises()[0]
    sol = course.root / "solutions"
    broken = (sol / ref.filename).read_text().replace("shifted = x - m", "shifted = x")
    runs = [
        RunInput("sol", sol),
        RunInput("mut", sol, {ref.filename: broken}),
        RunInput("missing", tmp_path / "empty"),
    ]
    (tmp_path / "empty").mkdir()
    out = Grader(course, [ref], GradeOptions()).grade(runs)
    assert out["sol"][0].status is Status.PASSED
    assert out["mut"][0].status is Status.FAILED and "nan_inf" in out["mut"][0].kinds
    assert out["missing"][0].status is Status.ERROR and "missing" in (out["missing"][0].error or "")
    assert "shifted = x - m" in (sol / ref.filename).read_text()  # the override never touched the course
